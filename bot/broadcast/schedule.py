"""When to send a notice later: `dd/mm/yyyy HH:MM` as typed, in the department's time zone.

Plain Python: takes "now" from the caller and returns English msgids (`Text`) to explain
what is expected, like the rest of the domain.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.domain.text import N_, Text

# `28/11/2026 08:00`, also `28-11-2026 8h00`, `28.11.2026 8:00`, `28/11/2026, 08.00`.
_WHEN = re.compile(
    r"^\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})\s*[, ]\s*(\d{1,2})\s*[:hH.]\s*(\d{2})\s*$"
)
LATEST = timedelta(days=366)
EARLIEST = timedelta(minutes=1)


def expected(now: datetime) -> Text:
    example = (now + timedelta(days=1)).replace(hour=8, minute=0)
    return Text(
        N_("Please type the date and time as dd/mm/yyyy HH:MM, for example {example}."),
        {"example": example.strftime("%d/%m/%Y %H:%M")},
    )


def parse_send_time(text: str, now: datetime) -> datetime | Text:
    """The moment typed (aware, in `now`'s zone), or a Text saying what is wrong."""
    match = _WHEN.match(text)
    if match is None:
        return expected(now)
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, tzinfo=now.tzinfo)
    except ValueError:
        return Text(
            N_("{text} is not a real date and time; please check it."), {"text": text.strip()}
        )
    if moment < now + EARLIEST:
        return Text(
            N_("{when} has already passed; please type a time in the future."),
            {"when": moment.strftime("%d/%m/%Y %H:%M")},
        )
    if moment > now + LATEST:
        return Text(N_("That is more than a year away; please type an earlier time."))
    return moment
