"""Fold typed Vietnamese for matching: `Tháng 11`, `THANG 11`, `thang  11` all become `thang 11`."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, `đ` as `d`, single spaces; NFC or NFD input alike."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("đ", "d").split())
