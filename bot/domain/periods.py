"""Reporting periods — a month, a quarter or a year — as people type them and as they are shown.

Typed: `11/2026`, `thang 11/2026`, `T11-2026`, `2026-11`, `quy 4/2026`, `Q4 2026`,
`Quý IV/2026`, `2026-Q4`, `2026`, `năm 2026` (with or without diacritics; a month or
quarter without a year is in the current year). Shown: `tháng 4/2026`, `quý IV/2026`,
`năm 2026` within a sentence, `Tháng 4/2026` at its start (one format: no leading zero,
lower case mid-sentence). Months are stored as `yyyy-mm` (the Submission.period column), so a
period is, for the database, the list of its months.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.domain.folding import fold
from bot.domain.text import N_, Text, shorten

MIN_YEAR, MAX_YEAR = 2000, 2100
ROMAN = ("I", "II", "III", "IV")

_SEP = r"\s*(?:[/\-.]|\bnam\b|\s)\s*"
_MONTH = re.compile(rf"^(?:thang|t)?\s*(\d{{1,2}})(?:{_SEP}(\d{{4}}))?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*-\s*(\d{1,2})$")
_QUARTER = re.compile(rf"^(?:quy|q)\s*(\d{{1,2}}|iv|i{{1,3}}|v)(?:{_SEP}(\d{{4}}))?$")
_YEAR_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*q\s*(\d)$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")

PERIOD_EXPECTED = N_(
    "I didn't understand the period “{text}”. Type a month (11/2026), a quarter "
    "(quý 4/2026 or Q4 2026) or a year (2026)."
)


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """`number` is the month (1-12) or the quarter (1-4); 0 for a year."""

    year: int
    kind: PeriodKind
    number: int = 0

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, PeriodKind.MONTH, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, PeriodKind.QUARTER, quarter)

    @classmethod
    def whole_year(cls, year: int) -> Period:
        return cls(year, PeriodKind.YEAR)

    @classmethod
    def of_day(cls, day: date) -> Period:
        """The month `day` falls in: the current period, given today."""
        return cls.month(day.year, day.month)

    @property
    def first_month(self) -> int:
        if self.kind is PeriodKind.MONTH:
            return self.number
        if self.kind is PeriodKind.QUARTER:
            return 3 * self.number - 2
        return 1

    @property
    def month_count(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]

    @property
    def months(self) -> tuple[str, ...]:
        """The months as stored: `('2026-10', '2026-11', '2026-12')` for Q4 2026."""
        first = self.first_month
        return tuple(f"{self.year:04d}-{m:02d}" for m in range(first, first + self.month_count))

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The first day after the period (exclusive bound)."""
        last = self.first_month + self.month_count
        return date(self.year + 1, 1, 1) if last > 12 else date(self.year, last, 1)

    def months_begun(self, today: date) -> tuple[str, ...]:
        """The months of the period whose first day has come: those a unit can have reported."""
        current = f"{today.year:04d}-{today.month:02d}"
        return tuple(m for m in self.months if m <= current)

    def months_due(self, today: date, last_due: str) -> tuple[str, ...]:
        """The months a unit is expected to have reported: begun, and not after `last_due`
        (the month whose deadline is nearest: on 01/12 December has begun but is not due, so
        Q4 means October and November). A month asked for on its own, begun but not due
        yet, is still shown as it stands."""
        begun = self.months_begun(today)
        return tuple(m for m in begun if m <= last_due) or begun

    def previous(self) -> Period:
        if self.kind is PeriodKind.YEAR:
            return Period.whole_year(self.year - 1)
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, 12 if self.kind is PeriodKind.MONTH else 4)

    @property
    def key(self) -> str:
        """Short, stable and file-name safe: `2026-11`, `2026-Q4`, `2026`."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @classmethod
    def from_key(cls, key: str) -> Period:
        """The inverse of `key`; ValueError for anything else."""
        if match := re.fullmatch(r"(\d{4})-(\d{2})", key):
            period = cls.month(int(match.group(1)), int(match.group(2)))
        elif match := re.fullmatch(r"(\d{4})-Q([1-4])", key):
            period = cls.quarter(int(match.group(1)), int(match.group(2)))
        elif re.fullmatch(r"\d{4}", key):
            period = cls.whole_year(int(key))
        else:
            raise ValueError(f"not a period key: {key!r}")
        if period.kind is PeriodKind.MONTH and not 1 <= period.number <= 12:
            raise ValueError(f"not a period key: {key!r}")
        return period

    def label(self, lang: str = "vi", *, start: bool = False) -> str:
        """`tháng 4/2026`, `quý IV/2026`, `năm 2026` (vi, within a sentence); with `start`
        (a sentence or a button begins with it) `Tháng 4/2026`; `4/2026`, `Q4 2026`, `2026` (en)."""
        if lang == "en":
            if self.kind is PeriodKind.MONTH:
                return f"{self.number}/{self.year}"
            return (
                f"Q{self.number} {self.year}" if self.kind is PeriodKind.QUARTER else str(self.year)
            )
        if self.kind is PeriodKind.MONTH:
            text = f"tháng {self.number}/{self.year}"
        elif self.kind is PeriodKind.QUARTER:
            text = f"quý {ROMAN[self.number - 1]}/{self.year}"
        else:
            text = f"năm {self.year}"
        return text[0].upper() + text[1:] if start else text


def month_label(month: str, lang: str = "vi", *, start: bool = False) -> str:
    """A stored month `2026-04` as `tháng 4/2026` (vi; `Tháng 4/2026` with `start`) or `4/2026`."""
    year, number = month.split("-")
    return Period.month(int(year), int(number)).label(lang, start=start)


def short_month(month: str) -> str:
    """`2026-04` → `4/2026`, for lists of months."""
    year, number = month.split("-")
    return f"{int(number)}/{year}"


def parse_period(text: str, today: date, *, allow_future: bool = False) -> Period | Text:
    """The period typed, or a Text saying what is wrong and what is expected.

    A period that has not begun yet is refused (nothing can have been reported in it)
    unless `allow_future` (a deadline can be set ahead).
    """
    folded = fold(text).replace("–", "-")
    period: Period | Text
    if match := _YEAR.match(folded):
        period = _checked_year(int(match.group(1)), Period.whole_year)
    elif match := _YEAR_MONTH.match(folded):
        period = _month(int(match.group(2)), int(match.group(1)))
    elif match := _MONTH.match(folded):
        year = int(match.group(2)) if match.group(2) else today.year
        period = _month(int(match.group(1)), year)
    elif match := _YEAR_QUARTER.match(folded):
        period = _quarter(match.group(2), int(match.group(1)))
    elif match := _QUARTER.match(folded):
        year = int(match.group(2)) if match.group(2) else today.year
        period = _quarter(match.group(1), year)
    else:
        return Text(PERIOD_EXPECTED, {"text": shorten(text, 40)})
    if isinstance(period, Period) and period.start > today and not allow_future:
        return Text(
            N_("{period} has not begun yet, so there is nothing to show for it."),
            {"period": period.label(start=True)},
        )
    return period


def _checked_year(year: int, make: Callable[[int], Period]) -> Period | Text:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Text(
            N_("{year} is not a year the bot has data for; type a year such as 2026."),
            {"year": year},
        )
    return make(year)


def _month(month: int, year: int) -> Period | Text:
    if not 1 <= month <= 12:
        return Text(N_("There is no month {month}."), {"month": month})
    return _checked_year(year, lambda y: Period.month(y, month))


def _quarter(spec: str, year: int) -> Period | Text:
    number = ROMAN.index(spec.upper()) + 1 if spec.upper() in ROMAN else None
    if number is None and spec.isdigit() and 1 <= int(spec) <= 4:
        number = int(spec)
    if number is None:
        return Text(
            N_("There is no quarter {quarter}: a year has quarters 1 to 4 (I to IV)."),
            {"quarter": spec.upper()},
        )
    quarter = number
    return _checked_year(year, lambda y: Period.quarter(y, quarter))
