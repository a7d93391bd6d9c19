"""Bar charts as PNG images, drawn with Pillow: a picture reads faster than a table on a phone.

Pillow (one wheel, no other dependency) rather than matplotlib (numpy and friends, ~10×
the install) is enough for two kinds of bars. The font is a subset of DejaVu Sans
shipped beside this module, since Vietnamese needs glyphs (ế, ữ, đ) that Pillow's
built-in font lacks and a server may have no fonts installed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.domain.text import shorten

FONTS = Path(__file__).resolve().parent / "fonts"
BACKGROUND = "#ffffff"
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BAR = "#2f6fdf"
TARGET = "#d64545"
MARGIN = 32


@lru_cache(maxsize=8)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold-vi.ttf" if bold else "DejaVuSans-vi.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, face: ImageFont.FreeTypeFont) -> str:
    """`text`, cut at a word boundary with an ellipsis to fit `width` pixels."""
    return shorten(text, width, measure=lambda s: draw.textlength(s, font=face))


def _nice_step(rough: float) -> int:
    """A grid step of 1, 2 or 5 times a power of ten, at least `rough`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude >= rough:
                return factor * magnitude
        magnitude *= 10


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _header(draw: ImageDraw.ImageDraw, title: str, subtitle: str, width: int) -> int:
    draw.text(
        (MARGIN, MARGIN),
        _fit(draw, title, width - 2 * MARGIN, font(26, True)),
        font=font(26, True),
        fill=INK,
    )
    if subtitle:
        draw.text(
            (MARGIN, MARGIN + 38),
            _fit(draw, subtitle, width - 2 * MARGIN, font(18)),
            font=font(18),
            fill=MUTED,
        )
    return MARGIN + (74 if subtitle else 44)


def column_chart(
    title: str, bars: Sequence[tuple[str, int]], *, subtitle: str = "", target: int | None = None
) -> bytes:
    """Vertical bars (a time series: units reported by week), with a dashed `target` line."""
    width, height = 900, 560
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    top = _header(draw, title, subtitle, width) + 24
    bottom, left, right = height - 60, MARGIN + 48, width - MARGIN
    peak = max([target or 0, *(v for _, v in bars), 1])
    small = font(16)
    step = _nice_step(peak / 4)
    for value in range(0, peak + 1, step):
        y = bottom - (bottom - top) * value / peak
        draw.line([(left, y), (right, y)], fill=GRID, width=1)
        draw.text((left - 8, y), str(value), font=small, fill=MUTED, anchor="rm")
    if target:
        y = bottom - (bottom - top) * target / peak
        for x in range(left, right, 16):
            draw.line([(x, y), (min(x + 8, right), y)], fill=TARGET, width=2)
    slot = (right - left) / max(len(bars), 1)
    for index, (label, value) in enumerate(bars):
        x0 = left + slot * index + slot * 0.18
        x1 = left + slot * (index + 1) - slot * 0.18
        y = bottom - (bottom - top) * value / peak
        draw.rectangle([(x0, y), (x1, bottom)], fill=BAR)
        draw.text(((x0 + x1) / 2, y - 6), str(value), font=font(17, True), fill=INK, anchor="md")
        draw.text(
            ((x0 + x1) / 2, bottom + 10),
            _fit(draw, label, int(slot), small),
            font=small,
            fill=INK,
            anchor="ma",
        )
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=2)
    return _png(image)


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, subtitle: str = "") -> bytes:
    """Horizontal bars (categories with long names: reports by area), largest first."""
    width, row = 1000, 44
    height = 130 + row * max(len(bars), 1)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    top = _header(draw, title, subtitle, width) + 16
    label_width = 430
    left, right = MARGIN + label_width + 12, width - MARGIN - 60
    peak = max([*(v for _, v in bars), 1])
    face = font(17)
    for index, (label, value) in enumerate(bars):
        y = top + row * index
        middle = y + row / 2
        draw.text(
            (MARGIN, middle), _fit(draw, label, label_width, face), font=face, fill=INK, anchor="lm"
        )
        x1 = left + (right - left) * value / peak
        draw.rectangle([(left, y + 8), (max(x1, left + 2), y + row - 8)], fill=BAR)
        draw.text((x1 + 8, middle), str(value), font=font(17, True), fill=INK, anchor="lm")
    return _png(image)
