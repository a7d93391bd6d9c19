"""Translatable text produced by the domain, rendered later by a front end.

The domain can't call gettext itself (it knows no locale and no aiogram), so it
returns the English msgid with its parameters; `N_` marks the msgid for
`pybabel extract` and the front end translates it with the user's catalogue.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Text:
    """A msgid and the values of its `{placeholders}`."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str]) -> str:
        """Translated, with its values put in; a value that is a `Text` is translated too."""
        translated = gettext(self.msgid)
        if not self.params:
            return translated
        values = {
            key: value.render(gettext) if isinstance(value, Text) else value
            for key, value in self.params.items()
        }
        return translated.format(**values)


@dataclass(frozen=True)
class Lines(Text):
    """Texts shown one under another: a question, then what is set now (see `lines`)."""

    parts: tuple[Text, ...] = ()

    def render(self, gettext: Callable[[str], str]) -> str:
        return "\n".join(part.render(gettext) for part in self.parts)


def lines(*parts: Text | None) -> Text:
    """One text of several lines, each translated on its own; a None part is left out."""
    return Lines("", parts=tuple(part for part in parts if part is not None))


# --- free text as people type it -----------------------------------------------------------------

# Invisible characters that change how text is shown without being part of it: bidirectional
# embeddings, overrides and isolates (a name typed "Nguyễn‮nạV" shows reversed), zero-width
# spaces and joiners, the word joiner family, the byte-order mark, the soft hyphen. Copied from
# web pages and other messengers, they make two equal names compare different and can disguise
# what staff read, so free text loses them before it is stored or shown.
_INVISIBLE = (
    "\u00ad\u061c\u180e"
    "\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069"
    "\ufeff"
)
# C0 and C1 control characters other than tab and line breaks (Excel and XML refuse them too).
_CONTROLS = "".join(
    chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n\r"
)
_REMOVE = str.maketrans("", "", _INVISIBLE + _CONTROLS)


def clean_text(text: str) -> str:
    """`text` in composed Unicode (NFC) without bidirectional, zero-width or control characters.

    Surrounding whitespace is kept: callers strip or collapse it as their field needs.
    """
    return unicodedata.normalize("NFC", text).translate(_REMOVE)


# --- text that must fit ----------------------------------------------------------------------------

ELLIPSIS = "…"


def shorten(text: str, limit: int, *, measure: Callable[[str], float] = len) -> str:
    """`text` if it fits in `limit`, else its longest prefix ending at a word boundary, with "…".

    "Hội nghị tổng kết năm 2026" cut to 24 is "Hội nghị tổng kết năm…", never "… năm 202".
    A single word longer than the limit is cut inside it. `measure` is the length that must
    fit (characters by default; the chart passes the width in pixels).
    """
    text = text.strip()
    if measure(text) <= limit:
        return text
    words = text.split()
    kept = ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if measure(candidate.rstrip(_TRAILING) + ELLIPSIS) > limit:
            break
        kept = candidate
    kept = kept.rstrip(_TRAILING)
    if not kept:
        # One long word: as many of its characters as fit.
        kept = words[0] if words else ""
        while kept and measure(kept + ELLIPSIS) > limit:
            kept = kept[:-1]
    return kept + ELLIPSIS


_TRAILING = " ,;:.-–—(/"


# --- Telegram's limits ---------------------------------------------------------------------------

MESSAGE_MAX = 4096
CAPTION_MAX = 1024
_TAG = re.compile(r"<[^>]*>")


def visible_length(html_text: str) -> int:
    """The length Telegram counts for an HTML message: tags dropped, entities decoded, trimmed,
    in UTF-16 code units (an emoji outside the BMP counts two)."""
    plain = html.unescape(_TAG.sub("", html_text)).strip()
    return len(plain.encode("utf-16-le")) // 2


def split_message(html_text: str, limit: int = MESSAGE_MAX) -> list[str]:
    """`html_text` as one or more messages of at most `limit` visible characters each.

    Pages break between lines (the form screens close every tag on the line that opens it),
    preferring a blank line; a single line too long for a page is cut into plain-text pieces.
    """
    if visible_length(html_text) <= limit:
        return [html_text]
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in html_text.split("\n"):
        length = visible_length(line) + 1
        if length > limit:
            if current:
                pages.append("\n".join(current))
                current, size = [], 0
            plain = html.unescape(_TAG.sub("", line))
            step = limit - 1
            pages.extend(
                html.escape(plain[i : i + step], quote=False) for i in range(0, len(plain), step)
            )
            continue
        if current and size + length > limit:
            pages.append("\n".join(current).strip("\n"))
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        pages.append("\n".join(current).strip("\n"))
    return [page for page in pages if page.strip()]
