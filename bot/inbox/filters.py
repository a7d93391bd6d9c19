"""What follows /hoso: a state, a period, a form and part of a unit's name, in any order.

`/hoso chờ`, `/hoso 11/2026`, `/hoso cau giay`, `/hoso chờ báo cáo quý 4/2026 Cầu Giấy`.
Words are read with or without diacritics (the unit search's folding). The state words
come first, then the period (a run of words holding a digit that `parse_period` reads),
then a form (two or more words of its title, its id or its command), and what is left is
part of a unit's name. `chờ` folds to `cho`, which is also a word of `Ô Chợ Dừa`: only
`chờ` as typed, or `cho` alone, means the state.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.folding import fold as fold_plain
from bot.domain.periods import PERIOD_EXPECTED, Period, parse_period
from bot.domain.text import N_, Text
from bot.domain.units import Match, UnitDirectory, fold, strip_prefix


class InboxState(enum.StrEnum):
    """The states staff filter by; the values are Submission.status values."""

    WAITING = "submitted"
    ACCEPTED = "accepted"
    NEEDS_REVISION = "needs_revision"
    REPLACED = "replaced"


# Folded phrases, longest first so that `chua tiep nhan` is not read as `tiep nhan`.
_STATE_WORDS: tuple[tuple[str, InboxState], ...] = tuple(
    sorted(
        (
            ("chua tiep nhan", InboxState.WAITING),
            ("cho tiep nhan", InboxState.WAITING),
            ("cho duyet", InboxState.WAITING),
            ("chua duyet", InboxState.WAITING),
            ("cho xu ly", InboxState.WAITING),
            ("moi", InboxState.WAITING),
            ("waiting", InboxState.WAITING),
            ("pending", InboxState.WAITING),
            ("da tiep nhan", InboxState.ACCEPTED),
            ("tiep nhan", InboxState.ACCEPTED),
            ("accepted", InboxState.ACCEPTED),
            ("yeu cau bo sung", InboxState.NEEDS_REVISION),
            ("can bo sung", InboxState.NEEDS_REVISION),
            ("bo sung", InboxState.NEEDS_REVISION),
            ("revision", InboxState.NEEDS_REVISION),
            ("da thay the", InboxState.REPLACED),
            ("thay the", InboxState.REPLACED),
            ("replaced", InboxState.REPLACED),
        ),
        key=lambda item: -len(item[0].split()),
    )
)
_WAIT_MARKED = "chờ"
_DIGIT = re.compile(r"\d")

FILTER_HELP = N_(
    "Filter by state (chờ, đã tiếp nhận, bổ sung), period (11/2026, quý 4/2026), "
    "form (báo cáo, kiểm tra) or part of a unit's name (cau giay), in any order."
)


@dataclass(frozen=True)
class InboxFilter:
    """`unit_query` is folded and without a prefix (`cau giay`); empty means every unit."""

    state: InboxState | None = None
    period: Period | None = None
    form_id: str | None = None
    unit_query: str = ""

    @property
    def is_empty(self) -> bool:
        return self == InboxFilter()


def unit_codes(units: UnitDirectory, query: str) -> list[str] | None:
    """The codes of the units whose name contains `query`; None for any unit."""
    if not query:
        return None
    found = units.search(query, limit=max(len(units), 1))
    # An old district or commune (`quận Đống Đa`) means the units formed from it.
    wanted = (Match.FOUND, Match.FORMER_DISTRICT, Match.FORMER_WARD)
    return [unit.code for unit in found.units] if found.match in wanted else []


def parse_filter(
    text: str,
    forms: Mapping[str, str],
    units: UnitDirectory,
    today: date,
    commands: Mapping[str, str] | None = None,
) -> InboxFilter | Text:
    """The filter typed after /hoso, or a Text saying what was not understood.

    `forms` maps each form id to its title; `commands` maps a command word (`baocao`)
    to the form it opens.
    """
    # A word that folds to nothing (`-`, `·`) separates nothing: dropped.
    raw = [word for word in unicodedata.normalize("NFC", text).split() if fold(word)]
    # `words` for names (`P.Cầu` → `p cau`), `plain` for periods (`11/2026` stays whole).
    words = [fold(word) for word in raw]
    plain = [fold_plain(word) for word in raw]
    used = [False] * len(words)

    state = _take_state(raw, words, used)
    period = _take_period(plain, used, today)
    if isinstance(period, Text):
        return period
    form_id = _take_form(words, used, forms, commands or {})
    rest = " ".join(w for w, taken in zip(words, used, strict=True) if not taken)
    query = strip_prefix(rest)
    if rest and unit_codes(units, query) == []:
        return Text(
            N_("No unit's name contains “{text}”."),
            {"text": " ".join(r for r, taken in zip(raw, used, strict=True) if not taken)[:40]},
        )
    return InboxFilter(state=state, period=period, form_id=form_id, unit_query=query)


def _runs(count: int, used: Sequence[bool], longest: int) -> list[tuple[int, int]]:
    """(start, end) of runs of free words, longest first, then left to right."""
    spans = []
    for size in range(min(longest, count), 0, -1):
        for start in range(count - size + 1):
            if not any(used[start : start + size]):
                spans.append((start, start + size))
    return spans


def _take_state(raw: Sequence[str], words: Sequence[str], used: list[bool]) -> InboxState | None:
    for phrase, state in _STATE_WORDS:
        wanted = phrase.split()
        for start, end in _runs(len(words), used, len(wanted)):
            if list(words[start:end]) == wanted:
                used[start:end] = [True] * (end - start)
                return state
    for index, (typed, word) in enumerate(zip(raw, words, strict=True)):
        if word == "cho" and (typed.lower() == _WAIT_MARKED or len(words) == 1):
            used[index] = True
            return InboxState.WAITING
    return None


def _take_period(words: Sequence[str], used: list[bool], today: date) -> Period | Text | None:
    for start, end in _runs(len(words), used, 3):
        phrase = " ".join(words[start:end])
        if not _DIGIT.search(phrase):
            continue
        parsed = parse_period(phrase, today)
        if isinstance(parsed, Period):
            used[start:end] = [True] * (end - start)
            return parsed
        if end - start == 1 and parsed.msgid != PERIOD_EXPECTED:
            return parsed  # a period, but an impossible or future one: say so
    for index, word in enumerate(words):
        if not used[index] and _DIGIT.search(word):
            return Text(PERIOD_EXPECTED, {"text": word})
    return None


def _take_form(
    words: Sequence[str],
    used: list[bool],
    forms: Mapping[str, str],
    commands: Mapping[str, str],
) -> str | None:
    titles = {form_id: f" {fold(title)} " for form_id, title in forms.items()}
    for start, end in _runs(len(words), used, 6):
        phrase = " ".join(words[start:end])
        found = [
            form_id
            for form_id, title in titles.items()
            if phrase in (form_id, form_id.replace("_", " "))
            or commands.get(phrase) == form_id
            or (end - start >= 2 and f" {phrase} " in title)
        ]
        if len(found) == 1:
            used[start:end] = [True] * (end - start)
            return found[0]
    return None
