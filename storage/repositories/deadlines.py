"""Report deadlines set by staff, and the per-unit reminder records that make a reminder
happen once per unit and month, across restarts and processes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import DeadlineReminder, ReportDeadline, utcnow


async def get(session: AsyncSession, form_id: str, period: str) -> ReportDeadline | None:
    return await session.get(ReportDeadline, (form_id, period))


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


async def open_deadlines(session: AsyncSession, today: date) -> Sequence[ReportDeadline]:
    """Deadlines not yet past (the reminder window ends on the deadline day)."""
    rows = await session.scalars(
        select(ReportDeadline)
        .where(ReportDeadline.due_on >= today)
        .order_by(ReportDeadline.due_on, ReportDeadline.period)
    )
    return rows.all()


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
