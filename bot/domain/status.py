"""Who has reported, and who is to be reminded: the rules, on plain values.

A unit has reported a month when it has a live (not replaced) activity report for it,
whatever its review state. For a quarter or a year, a unit has reported when it has
sent every month of the period that has begun; the months still missing are listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# The built-in forms the statistics read (bot/forms/definitions/*.yaml). Statistics
# need to know which answer means "violation" and which one is the fine; these names
# are the only place that knowledge lives.
REPORT_FORM = "activity_report"
REPORT_AREAS = "areas"
INSPECTION_FORM = "inspection"
# A finding counts in the period of its inspection date, not of the day it was sent.
INSPECTION_DATE = "inspection_date"
# Forms without a reporting period, and the answer (a date) that places one in a period.
DATED_BY = {INSPECTION_FORM: INSPECTION_DATE}
INSPECTION_RESULT = "result"
VIOLATION = "violation"
FINE_AMOUNT = "fine_amount"


def dated_on(form_id: str, answers: Mapping[str, object]) -> date | None:
    """The day a submission of a form in DATED_BY is about (None when it has no such
    answer, or one that is not an ISO date)."""
    name = DATED_BY.get(form_id)
    value = answers.get(name) if name is not None else None
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# Reminders go out in office hours, not at midnight when the deadline day begins.
REMIND_FROM_HOUR = 8
# Every day from 1 to 7, so that a typed number is the days it says, as much as its place
# among the buttons (typed numbers choose by place: `bot.dialogs.plain`).
REMIND_DAYS_CHOICES = tuple(range(1, 8))


@dataclass(frozen=True)
class UnitCoverage:
    """One unit's reports over a period: the months sent and the months still missing."""

    unit_code: str
    reported: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def coverage(
    unit_codes: Iterable[str], due_months: Iterable[str], reports: Iterable[tuple[str, str]]
) -> list[UnitCoverage]:
    """Each unit's coverage of `due_months`, given the (unit_code, month) pairs reported."""
    due = tuple(sorted(set(due_months)))
    sent: dict[str, set[str]] = {}
    for unit_code, month in reports:
        sent.setdefault(unit_code, set()).add(month)
    result = []
    for code in unit_codes:
        have = sent.get(code, set())
        result.append(
            UnitCoverage(
                code,
                tuple(m for m in due if m in have),
                tuple(m for m in due if m not in have),
            )
        )
    return result


def percent(part: int, whole: int) -> float:
    return 0.0 if whole == 0 else 100.0 * part / whole


def format_percent(value: float, lang: str = "vi") -> str:
    """`83,3%` (vi) or `83.3%`; whole numbers without decimals."""
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return (text.replace(".", ",") if lang != "en" else text) + "%"


def weekly_cumulative(
    first_sent: Iterable[date], start: date, until: date, max_weeks: int = 10
) -> list[tuple[date, int]]:
    """(week start, units reported by the end of that week), weeks counted from `start`.

    `first_sent` holds, per unit, the day its report for the month was first sent.
    The series stops at the week containing `until`, at most `max_weeks` weeks long;
    reports sent after the last week are counted in it, so the last bar is the total.
    """
    days = sorted(first_sent)
    weeks = max(1, min(max_weeks, (max(until, start) - start).days // 7 + 1))
    series = []
    for week in range(weeks):
        week_start = start + timedelta(days=7 * week)
        week_end = week_start + timedelta(days=7)
        last = week == weeks - 1
        series.append((week_start, sum(1 for d in days if last or d < week_end)))
    return series


@dataclass(frozen=True)
class Deadline:
    """The deadline of one month's report, and how many days before it the bot reminds."""

    month: str
    due_on: date
    remind_days_before: int

    @property
    def remind_on(self) -> date:
        return self.due_on - timedelta(days=self.remind_days_before)

    def reminding(self, today: date) -> bool:
        """From the reminder day up to the deadline itself: a bot that was down catches up."""
        return self.remind_on <= today <= self.due_on


def units_to_remind(
    deadline: Deadline,
    today: date,
    unit_codes: Iterable[str],
    reported: Iterable[str],
    reminded: Iterable[str],
    with_officers: Mapping[str, object] | None = None,
) -> list[str]:
    """Units to remind today: not reported, not reminded for this month, and (when
    `with_officers` is given) having an officer to receive the reminder."""
    if not deadline.reminding(today):
        return []
    done = set(reported) | set(reminded)
    return [
        code
        for code in unit_codes
        if code not in done and (with_officers is None or with_officers.get(code))
    ]
