"""The shared text helpers: invisible characters, cutting at a word, Telegram's lengths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import (
    CAPTION_MAX,
    MESSAGE_MAX,
    clean_text,
    shorten,
    split_message,
    visible_length,
)


def test_clean_text_drops_bidi_zero_width_and_controls_and_composes() -> None:
    typed = "Nguye\u0302\u0303n\u202e Th\u200bị\u2066 Lan\ufeff\x07\n2"
    assert clean_text(typed) == "Nguyễn Thị Lan\n2"
    assert clean_text("Cầu Giấy\t") == "Cầu Giấy\t"  # whitespace is the caller's


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    title = "Hội nghị tổng kết năm 2026"
    assert shorten(title, 40) == title
    assert shorten(title, 25) == "Hội nghị tổng kết năm…"
    assert shorten("Thông tin, tuyên truyền", 12) == "Thông tin…"  # no comma before "…"
    assert shorten("Supercalifragilistic", 6) == "Super…"  # one long word: cut inside it


@given(st.text(min_size=1), st.integers(min_value=2, max_value=60))
def test_shorten_always_fits(text: str, limit: int) -> None:
    assert len(shorten(text, limit)) <= limit


def test_visible_length_counts_as_telegram_does() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("😀") == 2  # UTF-16 code units


def test_split_message_keeps_pages_within_the_limit_and_lines_whole() -> None:
    lines = [f"{n}. <b>{'&amp;' * 300}</b>" for n in range(40)]
    pages = split_message("\n".join(lines))
    assert len(pages) > 1 and all(visible_length(p) <= MESSAGE_MAX for p in pages)
    assert "\n".join(pages).split("\n") == lines
    assert [len(p) for p in split_message("x" * 5000, CAPTION_MAX)] == [1023] * 4 + [908]
