"""Report deadlines: a rule that repeats ("ngày 5 hằng tháng"), exceptions for a given month,
and the period a status command means when none is typed.

A month's report is due on the rule's day of the following month (the November report
on 05/12), unless staff set another date for that month (an exception). The default
period of /chuabaocao, /thongke, /trangthai and /xuat is the month whose deadline is
nearest to today, whether it is still to come or has just passed: on 01/12 that is
November (due 05/12), not December, which nobody can have reported yet; by the end of
December, December's own deadline is the nearer one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.domain.periods import Period
from bot.domain.status import Deadline

# When no deadline is set at all, the default period is chosen as if reports were due on
# the 5th of the following month (the usual practice); nothing is shown as a deadline then.
USUAL_DUE_DAY = 5
# A rule's day: 1 to 28 exists in every month; a later day is moved to the month's last day.
MAX_DUE_DAY = 31


@dataclass(frozen=True)
class DeadlineRule:
    """Reports of every month are due on `due_day` of the following month."""

    due_day: int
    remind_days_before: int

    def due_on(self, month: str) -> date:
        """The deadline of `month` (`2026-11` → 05/12/2026 for day 5), clipped to the month's
        last day (day 31 in February is its 28th or 29th)."""
        following = Period.from_key(month).end
        last = calendar.monthrange(following.year, following.month)[1]
        return following.replace(day=min(self.due_day, last))

    def deadline(self, month: str) -> Deadline:
        return Deadline(month, self.due_on(month), self.remind_days_before)


def effective_deadline(
    month: str, rule: DeadlineRule | None, exception: Deadline | None
) -> Deadline | None:
    """The month's own date when staff set one, else the rule's, else none."""
    if exception is not None:
        return exception
    return rule.deadline(month) if rule is not None else None


@dataclass(frozen=True)
class DefaultPeriod:
    """The period a status command shows when none is typed, and its deadline (None: no
    deadline set, the usual day was assumed to choose it)."""

    period: Period
    deadline: Deadline | None


def default_period(today: date, deadline_of: Callable[[str], Deadline | None]) -> DefaultPeriod:
    """The month (among the last three begun) whose deadline is nearest to today; on a tie
    the one that has just passed (its late units are the ones to chase)."""
    current = Period.of_day(today)
    candidates = [current.previous().previous(), current.previous(), current]
    best: tuple[tuple[int, date], DefaultPeriod] | None = None
    for period in candidates:
        month = period.months[0]
        deadline = deadline_of(month)
        due = deadline.due_on if deadline is not None else _usual(month)
        rank = (abs((due - today).days), due)
        if best is None or rank < best[0]:
            best = (rank, DefaultPeriod(period, deadline))
    assert best is not None
    return best[1]


def _usual(month: str) -> date:
    return DeadlineRule(USUAL_DUE_DAY, 0).due_on(month)
