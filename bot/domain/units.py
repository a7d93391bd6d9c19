"""The local units of the province and finding one by part of its name, however it is typed.

People type `cau giay`, `Cầu Giấy`, `CAU GIAY`, `Hoà Xá` or `Hòa Xá`, decomposed
Unicode from some keyboards, `d` for `đ`, with or without `Phường`/`P.`. All of
these fold to one search key: no marks, lower case, `đ`→`d`, no prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from vietnam_provinces import Province, ProvinceCode, Ward

from bot.domain.folding import fold as fold_text

# Longest first, so `dac khu` wins over a lone `d`-word and `thi tran` over `t`.
_PREFIXES = ("dac khu", "thi tran", "phuong", "xa", "dk", "tt", "p", "x")
_NON_WORD = re.compile(r"[^0-9a-z]+")

MAX_CHOICES = 8


def fold(text: str) -> str:
    """Search key of a name: folded, and punctuation (`P.Cầu Giấy`) as a word break."""
    return _NON_WORD.sub(" ", fold_text(text)).strip()


def strip_prefix(folded: str) -> str:
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


@dataclass(frozen=True)
class UnitEntry:
    code: str
    name: str
    kind: str

    @property
    def key(self) -> str:
        return strip_prefix(fold(self.name))


class Match(Enum):
    FOUND = "found"
    TOO_MANY = "too_many"
    NONE = "none"


@dataclass(frozen=True)
class SearchResult:
    match: Match
    units: Sequence[UnitEntry]
    total: int


class UnitDirectory:
    """The units officers can belong to, searchable by any spelling of their name."""

    def __init__(self, units: Iterable[UnitEntry]) -> None:
        self._units = sorted(units, key=lambda u: fold(u.name))
        self._keys = [(u.key, u.key.replace(" ", ""), u) for u in self._units]
        self._by_code = {u.code: u for u in self._units}

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[UnitEntry]:
        return iter(self._units)

    def get(self, code: str) -> UnitEntry | None:
        return self._by_code.get(code)

    def search(self, query: str, limit: int = MAX_CHOICES) -> SearchResult:
        wanted = strip_prefix(fold(query))
        if not wanted:
            return SearchResult(Match.NONE, (), 0)
        squeezed = wanted.replace(" ", "")
        exact, starting, inside = [], [], []
        for key, key_squeezed, unit in self._keys:
            if key == wanted or key_squeezed == squeezed:
                exact.append(unit)
            elif key.startswith(wanted) or key_squeezed.startswith(squeezed):
                starting.append(unit)
            elif wanted in key or squeezed in key_squeezed:
                inside.append(unit)
        found = exact + starting + inside
        if not found:
            return SearchResult(Match.NONE, (), 0)
        if len(found) <= limit:
            return SearchResult(Match.FOUND, tuple(found), len(found))
        # "Long Biên" also starts "Long Biên Đông"...: the exact name is still a good answer.
        if exact and len(exact) <= limit:
            return SearchResult(Match.FOUND, tuple(exact), len(found))
        return SearchResult(Match.TOO_MANY, (), len(found))


def province_name(province_code: int) -> str:
    return Province.from_code(ProvinceCode(province_code)).name


def units_of_province(province_code: int) -> list[UnitEntry]:
    """Today's units (after the July 2025 reform) of a province, from vietnam-provinces."""
    return [
        UnitEntry(code=str(ward.code.value), name=ward.name, kind=ward.division_type.value)
        for ward in Ward.iter_by_province(ProvinceCode(province_code))
    ]
