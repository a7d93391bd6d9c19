"""Times of day (`14:30`, `8h30`, `8 giờ`) and date-times (`05/03/2026 14:30`) as typed.

Stored as `HH:MM` and `yyyy-mm-ddTHH:MM` (local time of the department), the way
XLSForm's `time` and `datetime` questions hold them without seconds.
"""

from __future__ import annotations

import re
from datetime import date

from bot.domain.folding import fold
from bot.domain.text import N_, Text
from bot.forms.dates import format_date, parse_date
from bot.forms.results import Checked, Invalid, Valid

_TIME = re.compile(
    r"^(\d{1,2})\s*(?:[:h.]|gio)\s*(\d{1,2})?\s*(?:phut|p)?$|^(\d{1,2})\s*(?:h|gio)?$"
)
_SPLIT = re.compile(r"^(.+?)[\st,]+(\d{1,2}\s*(?:[:h.]|gio)\s*(?:\d{2})?\s*(?:phut|p)?)$")

TIME_EXPECTED = Text(N_("Please enter a time as HH:MM, for example 14:30."))


def datetime_expected(today: date) -> Text:
    return Text(
        N_("Please enter a date and a time as dd/mm/yyyy HH:MM, for example {example}."),
        {"example": f"{format_date(today.isoformat())} 14:30"},
    )


def parse_time(text: str) -> Checked:
    """`14:30`, `14h30`, `14h`, `8 giờ 5`, `8.05` → `14:30`."""
    match = _TIME.match(fold(text).strip())
    if match is None:
        return Invalid(TIME_EXPECTED)
    hour = int(match.group(1) or match.group(3))
    minute = int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return Invalid(TIME_EXPECTED)
    return Valid(f"{hour:02d}:{minute:02d}")


def parse_datetime(text: str, today: date) -> Checked:
    """`05/03/2026 14:30`, `hôm nay 8h`, `2026-03-05T14:30` → `2026-03-05T14:30`."""
    match = _SPLIT.match(fold(text).strip())
    if match is None:
        return Invalid(datetime_expected(today))
    day = parse_date(match.group(1), today)
    moment = parse_time(match.group(2))
    if isinstance(day, Invalid) or isinstance(moment, Invalid):
        return Invalid(datetime_expected(today))
    return Valid(f"{day.value}T{moment.value}")


def format_datetime(value: str) -> str:
    """`2026-03-05T14:30` → `05/03/2026 14:30`."""
    day, _sep, moment = value.partition("T")
    return f"{format_date(day)} {moment}"
