"""Report deadlines: the monthly rule, its exceptions, and the period a status command means
when none is typed (issue 14.3 and 14.13)."""

from __future__ import annotations

from datetime import date

from bot.domain.deadlines import DeadlineRule, default_period, effective_deadline
from bot.domain.periods import Period
from bot.domain.status import Deadline

RULE = DeadlineRule(due_day=5, remind_days_before=3)


def test_a_rule_falls_in_the_following_month_and_fits_short_months() -> None:
    assert RULE.due_on("2026-11") == date(2026, 12, 5)
    assert RULE.due_on("2026-12") == date(2027, 1, 5)
    assert DeadlineRule(31, 1).due_on("2027-01") == date(2027, 2, 28)
    assert DeadlineRule(31, 1).due_on("2028-01") == date(2028, 2, 29)
    assert RULE.deadline("2026-11") == Deadline("2026-11", date(2026, 12, 5), 3)


def test_a_month_of_its_own_overrides_the_rule() -> None:
    own = Deadline("2026-12", date(2027, 1, 8), 2)
    assert effective_deadline("2026-12", RULE, own) == own
    assert effective_deadline("2026-11", RULE, None) == RULE.deadline("2026-11")
    assert effective_deadline("2026-11", None, None) is None


def test_the_default_period_is_the_month_whose_deadline_is_nearest() -> None:
    def chosen(today: date, rule: DeadlineRule | None = RULE, **own: Deadline) -> Period:
        def deadline_of(month: str) -> Deadline | None:
            return effective_deadline(month, rule, own.get("m" + month.replace("-", "")))

        return default_period(today, deadline_of).period

    november, december = Period.month(2026, 11), Period.month(2026, 12)
    # On the 1st, December has just begun and is not due: November (due 05/12) is meant.
    assert chosen(date(2026, 12, 1)) == november
    assert chosen(date(2026, 12, 10)) == november  # just passed: the late units to chase
    assert chosen(date(2026, 12, 20)) == november
    assert chosen(date(2026, 12, 21)) == december  # 05/01 is now nearer than 05/12
    assert chosen(date(2026, 11, 27)) == november
    # No deadline set at all: chosen as if due on the 5th, shown without a deadline.
    assert chosen(date(2026, 12, 1), rule=None) == november
    assert default_period(date(2026, 12, 1), lambda month: None).deadline is None
    # A month of its own far away does not hide the one due now.
    late = Deadline("2026-11", date(2026, 12, 28), 3)
    assert chosen(date(2026, 12, 22), m202611=late) == november
    with_rule = default_period(date(2026, 12, 1), RULE.deadline)
    assert with_rule.deadline == Deadline("2026-11", date(2026, 12, 5), 3)
