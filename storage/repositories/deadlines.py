"""Report deadlines set by staff — a rule that repeats every month, and per-month deadlines
that are its exceptions — and the per-unit reminder records that make a reminder happen once
per unit and month, across restarts and processes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.deadlines import DeadlineRule, effective_deadline
from bot.domain.status import Deadline
from storage.database import dialect_insert
from storage.models import (
    DeadlineReminder,
    ReportDeadline,
    ReportDeadlineRule,
    StaffReminder,
    utcnow,
)


async def get(session: AsyncSession, form_id: str, period: str) -> ReportDeadline | None:
    return await session.get(ReportDeadline, (form_id, period))


async def get_rule(session: AsyncSession, form_id: str) -> DeadlineRule | None:
    row = await session.get(ReportDeadlineRule, form_id)
    return None if row is None else DeadlineRule(row.due_day, row.remind_days_before)


async def set_rule(
    session: AsyncSession, *, form_id: str, due_day: int, remind_days_before: int, set_by: int
) -> None:
    """Set (or change) the repeating deadline; the months' own deadlines stay as exceptions."""
    row = await session.get(ReportDeadlineRule, form_id)
    if row is None:
        row = ReportDeadlineRule(form_id=form_id)
        session.add(row)
    row.due_day = due_day
    row.remind_days_before = remind_days_before
    row.set_by = set_by
    row.set_at = utcnow()
    await session.flush()


async def remove_exception(session: AsyncSession, form_id: str, period: str) -> bool:
    """The month follows the rule again; False when it had no date of its own."""
    row = await get(session, form_id, period)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True


def _as_deadline(row: ReportDeadline) -> Deadline:
    return Deadline(row.period, row.due_on, row.remind_days_before)


async def deadlines_for(
    session: AsyncSession, form_id: str, months: Sequence[str]
) -> dict[str, Deadline]:
    """The deadline in force for each of these months (its exception, else the rule);
    months with neither are left out."""
    rule = await get_rule(session, form_id)
    rows = await session.scalars(
        select(ReportDeadline).where(
            ReportDeadline.form_id == form_id, ReportDeadline.period.in_(months)
        )
    )
    exceptions = {row.period: _as_deadline(row) for row in rows}
    result = {}
    for month in months:
        deadline = effective_deadline(month, rule, exceptions.get(month))
        if deadline is not None:
            result[month] = deadline
    return result


async def exceptions_from(session: AsyncSession, form_id: str, since: date) -> list[Deadline]:
    """The months with a date of their own, due on `since` or later, soonest first."""
    rows = await session.scalars(
        select(ReportDeadline)
        .where(ReportDeadline.form_id == form_id, ReportDeadline.due_on >= since)
        .order_by(ReportDeadline.due_on, ReportDeadline.period)
    )
    return [_as_deadline(row) for row in rows]


async def set_deadline(
    session: AsyncSession,
    *,
    form_id: str,
    period: str,
    due_on: date,
    remind_days_before: int,
    set_by: int,
) -> ReportDeadline:
    """Set (or move) the deadline of a month's report. Units already reminded stay reminded."""
    deadline = await get(session, form_id, period)
    if deadline is None:
        deadline = ReportDeadline(form_id=form_id, period=period)
        session.add(deadline)
    deadline.due_on = due_on
    deadline.remind_days_before = remind_days_before
    deadline.set_by = set_by
    deadline.set_at = utcnow()
    await session.flush()
    return deadline


async def open_deadlines(
    session: AsyncSession, today: date, recent_months: Sequence[str] = ()
) -> list[tuple[str, Deadline, int | None]]:
    """Deadlines not yet past (the reminder window ends on the deadline day), as
    (form, deadline, who set it): every month's own date, and for `recent_months` (the
    months whose rule deadline can still be ahead) the rule's."""
    found: dict[tuple[str, str], tuple[str, Deadline, int | None]] = {}
    rows = await session.scalars(select(ReportDeadline).where(ReportDeadline.due_on >= today))
    for row in rows:
        found[(row.form_id, row.period)] = (row.form_id, _as_deadline(row), row.set_by)
    for rule in await session.scalars(select(ReportDeadlineRule)):
        as_rule = DeadlineRule(rule.due_day, rule.remind_days_before)
        for month in recent_months:
            if (rule.form_id, month) in found or await get(session, rule.form_id, month):
                continue  # the month's own date is the one in force
            deadline = as_rule.deadline(month)
            if deadline.due_on >= today:
                found[(rule.form_id, month)] = (rule.form_id, deadline, rule.set_by)
    return sorted(found.values(), key=lambda item: (item[1].due_on, item[1].month))


async def reminded_units(session: AsyncSession, form_id: str, period: str) -> set[str]:
    rows = await session.scalars(
        select(DeadlineReminder.unit_code).where(
            DeadlineReminder.form_id == form_id, DeadlineReminder.period == period
        )
    )
    return set(rows)


async def claim_reminders(
    session: AsyncSession, form_id: str, period: str, recipients: dict[str, int]
) -> list[str]:
    """Record units as reminded; returns those this call claimed (not claimed before).

    INSERT … ON CONFLICT DO NOTHING RETURNING: two processes claiming the same units
    get disjoint sets, so nobody is reminded twice. The caller enqueues the reminder in
    the same transaction, so a failure un-claims them.
    """
    if not recipients:
        return []
    rows = [
        {
            "form_id": form_id,
            "period": period,
            "unit_code": code,
            "recipients": count,
            "reminded_at": utcnow(),
        }
        for code, count in recipients.items()
    ]
    statement = (
        dialect_insert(session, DeadlineReminder)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(DeadlineReminder.unit_code)
    )
    claimed = await session.scalars(statement)
    return sorted(claimed)


@dataclass(frozen=True)
class StaffReminderRecord:
    unit_code: str
    period: str
    reminded_by: int
    reminded_by_name: str
    reminded_at: datetime


async def staff_reminded(
    session: AsyncSession, form_id: str, months: Sequence[str]
) -> list[StaffReminderRecord]:
    """Who reminded which unit of which month, latest first."""
    rows = await session.scalars(
        select(StaffReminder)
        .where(StaffReminder.form_id == form_id, StaffReminder.period.in_(months))
        .order_by(StaffReminder.reminded_at.desc())
    )
    return [
        StaffReminderRecord(r.unit_code, r.period, r.reminded_by, r.reminded_by_name, r.reminded_at)
        for r in rows
    ]


async def claim_staff_reminders(
    session: AsyncSession,
    form_id: str,
    wanted: Sequence[tuple[str, str, int]],
    *,
    reminded_by: int,
    reminded_by_name: str,
    now: datetime,
) -> set[tuple[str, str]]:
    """Claim (unit, month) pairs for a staff reminder; `wanted` holds (unit, month, officers).

    Returns the pairs this call claimed. The primary key makes a pair claimable once: two
    staff members confirming at the same moment get disjoint sets (INSERT … ON CONFLICT DO
    NOTHING RETURNING; on PostgreSQL the second waits for the first to commit, then skips).
    """
    if not wanted:
        return set()
    rows = [
        {
            "form_id": form_id,
            "period": month,
            "unit_code": code,
            "reminded_by": reminded_by,
            "reminded_by_name": reminded_by_name[:200],
            "recipients": count,
            "reminded_at": now,
        }
        for code, month, count in wanted
    ]
    statement = (
        dialect_insert(session, StaffReminder)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(StaffReminder.unit_code, StaffReminder.period)
    )
    return {(code, month) for code, month in await session.execute(statement)}
