"""The local units of the province and finding one by part of its name, however it is typed.

People type `cau giay`, `Cầu Giấy`, `CAU GIAY`, `Hoà Xá` or `Hòa Xá`, decomposed
Unicode from some keyboards, `d` for `đ`, with or without `Phường`/`P.`. All of
these fold to one search key: no marks, lower case, `đ`→`d`, no prefix.

People also still type the district they knew (`quận Đống Đa`, `Huyện Sóc Sơn`),
although districts were abolished on 1 July 2025, or their commune or ward from before
the merger (`Dịch Vọng Hậu`): the search answers with the communes and wards formed from
it (`old_units/`, derived from the MIT-licensed `vietnamadminunits` by
`scripts/build_old_units.py`). A typo (`Cau Giai`) gets the nearest names (difflib's
ratio on the folded keys).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from vietnam_provinces import ProvinceCode, Ward

from bot.domain.folding import fold as fold_text

# Longest first, so `dac khu` wins over a lone `d`-word and `thi tran` over `t`.
_PREFIXES = ("dac khu", "thi tran", "phuong", "xa", "dk", "tt", "p", "x")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# The district-level prefixes of before July 2025; `q1`/`q.1` for Quận 1 of TP. Hồ Chí Minh.
_DISTRICT_PREFIX = re.compile(r"^(?:(?:quan|huyen|thi xa|thanh pho|tx|tp|q|h) |q(?=\d))")

# As many matches as fit on a phone's screen as buttons; more asks for more letters.
MAX_CHOICES = 20
# Nearest names offered for a typo, and how alike (difflib's ratio) they must be.
MAX_SUGGESTIONS = 5
SUGGESTION_CUTOFF = 0.7
SUGGESTION_SPREAD = 0.1
_FORMER_DISTRICTS = Path(__file__).parent / "old_units" / "districts.json"
_FORMER_WARDS = Path(__file__).parent / "old_units" / "wards.json"


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


def district_key(folded: str) -> str | None:
    """The search key of an old district's name typed with its prefix, else None."""
    prefix = _DISTRICT_PREFIX.match(folded)
    return folded[prefix.end() :].strip() if prefix else None


class Match(Enum):
    FOUND = "found"
    TOO_MANY = "too_many"
    NONE = "none"
    # An old district (before July 2025): `units` are the communes and wards formed from it.
    FORMER_DISTRICT = "former_district"
    # An old commune or ward (before July 2025): `units` are those it went into.
    FORMER_WARD = "former_ward"
    # Nothing matches as typed: `units` are the nearest names (a typo).
    SUGGESTED = "suggested"


@dataclass(frozen=True)
class SearchResult:
    match: Match
    units: Sequence[UnitEntry]
    total: int
    # With FORMER_DISTRICT or FORMER_WARD: the old unit, `Quận Đống Đa`, `Phường Dịch Vọng
    # (Quận Cầu Giấy)`.
    former: str = ""


class UnitDirectory:
    """The units officers can belong to, searchable by any spelling of their name."""

    def __init__(
        self,
        units: Iterable[UnitEntry],
        former: Mapping[str, Sequence[str]] | None = None,
        former_wards: Iterable[tuple[str, str, Sequence[str]]] = (),
    ) -> None:
        """`former`: an old district's name → the names of the units formed from it;
        `former_wards`: (an old commune or ward, its district, the units it went into)."""
        self._units = sorted(units, key=lambda u: fold(u.name))
        self._keys = [(u.key, u.key.replace(" ", ""), u) for u in self._units]
        self._by_code = {u.code: u for u in self._units}
        by_name = {fold(u.name): u for u in self._units}
        self._former: dict[str, tuple[str, tuple[UnitEntry, ...]]] = {}
        for district, names in (former or {}).items():
            formed = sorted(
                {by_name[fold(n)] for n in names if fold(n) in by_name}, key=lambda u: fold(u.name)
            )
            key = district_key(fold(district))
            if formed and key:
                # Two old districts of one name (merged provinces): offer the units of both.
                _, before = self._former.get(key, (district, ()))
                self._former[key] = (district, tuple(dict.fromkeys([*before, *formed])))
        self._former_squeezed = {key.replace(" ", ""): key for key in self._former}
        # Search key of an old commune or ward → (its name, its district, today's units).
        self._former_wards: dict[str, list[tuple[str, str, tuple[UnitEntry, ...]]]] = {}
        for ward, district, names in former_wards:
            went_into = tuple(
                sorted(
                    {by_name[fold(n)] for n in names if fold(n) in by_name},
                    key=lambda u: fold(u.name),
                )
            )
            if went_into:
                key = strip_prefix(fold(ward)).replace(" ", "")
                self._former_wards.setdefault(key, []).append((ward, district, went_into))

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[UnitEntry]:
        return iter(self._units)

    def get(self, code: str) -> UnitEntry | None:
        return self._by_code.get(code)

    def former_district(self, key: str) -> SearchResult | None:
        """The units formed from the old district whose search key is `key`, if there was one."""
        key = self._former_squeezed.get(key.replace(" ", ""), key)
        if key not in self._former:
            return None
        district, formed = self._former[key]
        return SearchResult(Match.FORMER_DISTRICT, formed, len(formed), district)

    def former_ward(self, wanted: str, limit: int = MAX_CHOICES) -> SearchResult | None:
        """The units an old commune or ward went into; None if none was called so, or when
        many were (`Phường 1` of a dozen districts) and their units would not fit."""
        olds = self._former_wards.get(wanted.replace(" ", ""), [])
        went_into = tuple(
            sorted({unit for _, _, units in olds for unit in units}, key=lambda u: fold(u.name))
        )
        if not olds or len(went_into) > limit:
            return None
        label = ", ".join(dict.fromkeys(f"{ward} ({district})" for ward, district, _ in olds))
        return SearchResult(Match.FORMER_WARD, went_into, len(went_into), label)

    def search(self, query: str, limit: int = MAX_CHOICES) -> SearchResult:
        folded = fold(query)
        wanted = strip_prefix(folded)
        old = district_key(folded)
        # `Quan Sơn` may be today's Xã Quan Sơn, not a `quận Sơn`: a unit's exact name wins.
        if old and not self._is_a_name(wanted) and (former := self.former_district(old)):
            return former
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
            # `Phường 1` is no `Quận 1`: a commune-level prefix rules out the districts.
            districts = old is not None or wanted == folded
            return self._nearest(old or wanted, limit, districts)
        if len(found) <= limit:
            return SearchResult(Match.FOUND, tuple(found), len(found))
        # "Long Biên" also starts "Long Biên Đông"...: the exact name is still a good answer.
        if exact and len(exact) <= limit:
            return SearchResult(Match.FOUND, tuple(exact), len(found))
        return SearchResult(Match.TOO_MANY, (), len(found))

    def _is_a_name(self, wanted: str) -> bool:
        return any(key == wanted for key, _, _ in self._keys)

    def _nearest(self, wanted: str, limit: int, districts: bool) -> SearchResult:
        """Nothing contains what was typed: an old district's or commune's name, or the names
        nearest to it."""
        district = self.former_district(wanted) if districts else None
        if former := district or self.former_ward(wanted, limit):
            return former
        by_key: dict[str, list[UnitEntry]] = {}
        for key, _, unit in self._keys:
            by_key.setdefault(key, []).append(unit)
        close = difflib.get_close_matches(
            wanted, list(by_key), n=MAX_SUGGESTIONS, cutoff=SUGGESTION_CUTOFF
        )
        if close:
            # Only those about as near as the nearest: `hoang mia` is Hoàng Mai, not Hồng Hà.
            best = _likeness(wanted, close[0])
            close = [key for key in close if _likeness(wanted, key) >= best - SUGGESTION_SPREAD]
            units = tuple(unit for key in close for unit in by_key[key])[:MAX_SUGGESTIONS]
            return SearchResult(Match.SUGGESTED, units, len(units))
        near = difflib.get_close_matches(wanted, list(self._former), n=1, cutoff=0.8)
        if districts and near and (former := self.former_district(near[0])):
            return former
        return SearchResult(Match.NONE, (), 0)


def units_of_province(province_code: int) -> list[UnitEntry]:
    """Today's units (after the July 2025 reform) of a province, from vietnam-provinces."""
    return [
        UnitEntry(code=str(ward.code.value), name=ward.name, kind=ward.division_type.value)
        for ward in Ward.iter_by_province(ProvinceCode(province_code))
    ]


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def former_wards(province_code: int) -> list[tuple[str, str, list[str]]]:
    """The communes and wards of a province until 30 June 2025: each with its district and
    the units it went into. Read once at start-up; only the province's part is kept."""
    data: dict[str, list[list[Any]]] = json.loads(_FORMER_WARDS.read_text(encoding="utf-8"))
    return [
        (str(ward), str(district), list(new))
        for ward, district, new in data.get(str(province_code), [])
    ]


def former_districts(province_code: int) -> dict[str, list[str]]:
    """The districts of a province until 30 June 2025, each with the units formed from it.

    Read once at start-up; only the configured province's part is kept."""
    data: dict[str, dict[str, list[str]]] = json.loads(
        _FORMER_DISTRICTS.read_text(encoding="utf-8")
    )
    return data.get(str(province_code), {})
