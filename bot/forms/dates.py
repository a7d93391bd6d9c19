"""Dates (`dd/mm/yyyy`) and months (`11/2026`, `tháng 11/2026`) as typed, stored as ISO strings.

Parsers take `today` from the caller (a controllable clock).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.folding import fold
from bot.domain.text import N_, Text
from bot.forms.results import Checked, Invalid, Valid

_MIN_YEAR, _MAX_YEAR = 1900, 2100

TODAY = "today"
YESTERDAY = "yesterday"

_TODAY_WORDS = {"today", "hom nay", "homnay", "hnay"}
_YESTERDAY_WORDS = {"yesterday", "hom qua", "homqua"}
_DMY = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}|\d{2}))?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MY = re.compile(r"^(?:thang|t)?\s*(\d{1,2})(?:\s*(?:[/\-.]|nam|\s)\s*(\d{4}))?$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")


def date_expected(today: date) -> Text:
    return Text(
        N_("Please enter a date as dd/mm/yyyy, for example {example}."),
        {"example": format_date(today.isoformat())},
    )


def month_expected(today: date) -> Text:
    return Text(
        N_("Please enter a month as mm/yyyy, for example {example}."),
        {"example": f"{today.month:02d}/{today.year}"},
    )


def parse_date(text: str, today: date, *, no_future: bool = False) -> Checked:
    """`05/03/2026`, `5/3/26`, `05-03-2026`, `5/3` (this year), `2026-03-05`, `today`, `hôm qua`.

    With `no_future`, a yearless `d/m` that would fall after today means last year
    (typed on 2 January, `28/12` is the December just past).
    """
    folded = fold(text)
    if folded in _TODAY_WORDS:
        return Valid(today.isoformat())
    if folded in _YESTERDAY_WORDS:
        return Valid((today - timedelta(1)).isoformat())
    if match := _YMD.match(folded):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(folded):
        day, month = int(match.group(1)), int(match.group(2))
        year_text = match.group(3)
        if year_text is None:
            year = today.year
            if no_future and _real(year, month, day) and date(year, month, day) > today:
                year -= 1
        else:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    else:
        return Invalid(date_expected(today))
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return Invalid(date_expected(today))
    if not _real(year, month, day):
        return Invalid(
            Text(
                N_("{date} is not a real date; please check the day and the month."),
                {"date": f"{day:02d}/{month:02d}/{year}"},
            )
        )
    return Valid(date(year, month, day).isoformat())


def parse_month(text: str, today: date, *, no_future: bool = False) -> Checked:
    """`11/2026`, `tháng 11/2026`, `T11-2026`, `2026-11`, `11` (this year, or last with `no_future`)."""
    folded = fold(text)
    if match := _YM.match(folded):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := _MY.match(folded):
        month = int(match.group(1))
        if match.group(2) is None:
            year = today.year - (1 if no_future and month > today.month else 0)
        else:
            year = int(match.group(2))
    else:
        return Invalid(month_expected(today))
    if not 1 <= month <= 12:
        return Invalid(Text(N_("There is no month {month}."), {"month": month}))
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return Invalid(month_expected(today))
    return Valid(f"{year:04d}-{month:02d}")


def without_year(text: str) -> bool:
    """A month typed without its year (`4`, `tháng 4`, `T11`)."""
    match = _MY.match(fold(text))
    return match is not None and match.group(2) is None


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: date) -> str:
    return month_of(day.replace(day=1) - timedelta(1))


def format_date(iso: str) -> str:
    """`2026-03-05` → `05/03/2026`."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def format_month(iso: str, lang: str) -> str:
    """`2026-04` → `Tháng 4/2026` (vi, a value or a button on its own) or `4/2026`: the
    format of `bot.domain.periods`, with no leading zero."""
    year, month = iso.split("-")
    return f"Tháng {int(month)}/{year}" if lang == "vi" else f"{int(month)}/{year}"


def _real(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
