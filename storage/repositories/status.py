"""The queries behind /trangthai, /thongke and /chuabaocao: aggregates in SQL, on indexes.

Reports are found by (form_id, period) — `ix_submissions_form_period`; forms without a
period (inspections) by the day they are about (`occurred_on`, the inspection date) —
`ix_submissions_form_occurred` — falling back to when they were sent for a finding
without one. Times are compared in UTC: the caller turns the period's
local bounds into UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.events import EventStatus, SignupStatus
from storage.models import (
    Event,
    EventSignup,
    RegistrationStatus,
    Submission,
    SubmissionStatus,
    User,
    officer_clause,
)

LIVE = Submission.status != SubmissionStatus.REPLACED
# Sign-ups that hold a seat or a place on the waiting list.
LIVE_SIGNUPS = (SignupStatus.CONFIRMED, SignupStatus.WAITING)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives it back without its zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Span:
    """A period as days [first_day, end_day) and as UTC times [since, until)."""

    first_day: date
    end_day: date
    since: datetime
    until: datetime


def dated_in(form_id: str, span: Span) -> ColumnElement[bool]:
    """Submissions of `form_id` whose day (`occurred_on`, the inspection date) falls in the
    span's days; those without one by the time they were sent. Each branch names the form,
    so each is a range of `ix_submissions_form_occurred`."""
    return or_(
        and_(
            Submission.form_id == form_id,
            Submission.occurred_on >= span.first_day,
            Submission.occurred_on < span.end_day,
        ),
        and_(
            Submission.form_id == form_id,
            Submission.occurred_on.is_(None),
            Submission.submitted_at >= span.since,
            Submission.submitted_at < span.until,
        ),
    )


@dataclass(frozen=True)
class ReportRow:
    unit_code: str
    period: str
    status: SubmissionStatus


@dataclass(frozen=True)
class InspectionTotals:
    count: int
    with_violation: int
    fines: int


@dataclass(frozen=True)
class Officer:
    id: int
    unit_code: str
    full_name: str
    phone: str | None
    phone_verified: bool = False


async def live_reports(
    session: AsyncSession, form_id: str, months: Sequence[str]
) -> list[ReportRow]:
    """The live reports of `form_id` for these months, one per unit and month."""
    rows = await session.execute(
        select(Submission.unit_code, Submission.period, Submission.status).where(
            Submission.form_id == form_id, Submission.period.in_(months), LIVE
        )
    )
    return [ReportRow(unit, period or "", status) for unit, period, status in rows]


async def first_sent(session: AsyncSession, form_id: str, month: str) -> dict[str, datetime]:
    """When each unit first sent its report for `month` (replaced versions count: the unit
    had reported by then)."""
    rows = await session.execute(
        select(Submission.unit_code, func.min(Submission.submitted_at))
        .where(Submission.form_id == form_id, Submission.period == month)
        .group_by(Submission.unit_code)
    )
    return {unit: as_utc(moment) for unit, moment in rows}


async def report_answers(
    session: AsyncSession, form_id: str, months: Sequence[str], field: str
) -> list[Any]:
    """One answer (`field`) of every live report for these months; JSON values."""
    rows = await session.scalars(
        select(Submission.answers[field]).where(
            Submission.form_id == form_id, Submission.period.in_(months), LIVE
        )
    )
    return list(rows)


async def inspection_totals(
    session: AsyncSession,
    form_id: str,
    span: Span,
    *,
    result_field: str,
    violation: str,
    fine_field: str,
    unit_code: str | None = None,
) -> InspectionTotals:
    """Count, count with a violation, and fines in total, of findings dated in the span."""
    violated = Submission.answers[result_field].as_string() == violation
    conditions = [dated_in(form_id, span), LIVE]
    if unit_code is not None:
        conditions.append(Submission.unit_code == unit_code)
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((violated, 1), else_=0)), 0),
                func.coalesce(
                    func.sum(func.coalesce(Submission.answers[fine_field].as_integer(), 0)), 0
                ),
            ).where(and_(*conditions))
        )
    ).one()
    return InspectionTotals(int(row[0]), int(row[1]), int(row[2]))


async def inspections_by_unit(
    session: AsyncSession,
    form_id: str,
    span: Span,
    *,
    result_field: str,
    violation: str,
    fine_field: str,
) -> dict[str, InspectionTotals]:
    """The same totals per unit (for the export's summary sheet)."""
    violated = Submission.answers[result_field].as_string() == violation
    rows = await session.execute(
        select(
            Submission.unit_code,
            func.count(),
            func.sum(case((violated, 1), else_=0)),
            func.sum(func.coalesce(Submission.answers[fine_field].as_integer(), 0)),
        )
        .where(dated_in(form_id, span), LIVE)
        .group_by(Submission.unit_code)
    )
    return {
        unit: InspectionTotals(int(count), int(bad or 0), int(fines or 0))
        for unit, count, bad, fines in rows
    }


async def officers_of_units(
    session: AsyncSession, unit_codes: Sequence[str] | None = None
) -> dict[str, list[Officer]]:
    """Approved officers by unit (all units when `unit_codes` is None), by name."""
    query = select(User.id, User.unit_code, User.full_name, User.phone, User.phone_verified).where(
        User.status == RegistrationStatus.APPROVED,
        officer_clause(),
    )
    if unit_codes is not None:
        query = query.where(User.unit_code.in_(unit_codes))
    result: dict[str, list[Officer]] = {}
    for user_id, unit, name, phone, verified in await session.execute(
        query.order_by(User.full_name, User.id)
    ):
        code = str(unit)  # not None: filtered above
        result.setdefault(code, []).append(
            Officer(user_id, code, name or str(user_id), phone, bool(verified))
        )
    return result


async def submissions_count(
    session: AsyncSession,
    form_id: str,
    *,
    months: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    dated: ColumnElement[bool] | None = None,
) -> int:
    """How many live submissions of a form an export of the period will hold."""
    query = select(func.count()).where(Submission.form_id == form_id, LIVE)
    if months is not None:
        query = query.where(Submission.period.in_(months))
    if since is not None and until is not None:
        query = query.where(Submission.submitted_at >= since, Submission.submitted_at < until)
    if dated is not None:
        query = query.where(dated)
    return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class SignupTotals:
    """Events (not cancelled) starting in a period, and their live sign-ups."""

    events: int
    confirmed: int
    waiting: int


def _events_starting(since: datetime, until: datetime) -> Any:
    return and_(
        Event.starts_at >= since, Event.starts_at < until, Event.status != EventStatus.CANCELLED
    )


async def signup_totals(session: AsyncSession, since: datetime, until: datetime) -> SignupTotals:
    """/thongke: events starting in [since, until) and their confirmed and waiting sign-ups."""
    events = int(
        await session.scalar(select(func.count()).where(_events_starting(since, until))) or 0
    )
    rows = await session.execute(
        select(EventSignup.status, func.count())
        .join(Event, Event.id == EventSignup.event_id)
        .where(_events_starting(since, until), EventSignup.status.in_(LIVE_SIGNUPS))
        .group_by(EventSignup.status)
    )
    by_status = {SignupStatus(status): int(count) for status, count in rows}
    return SignupTotals(
        events, by_status.get(SignupStatus.CONFIRMED, 0), by_status.get(SignupStatus.WAITING, 0)
    )


async def signups_by_unit(
    session: AsyncSession, since: datetime, until: datetime
) -> dict[str, int]:
    """Live sign-ups (confirmed and waiting) per unit, for events starting in [since, until)."""
    rows = await session.execute(
        select(EventSignup.unit_code, func.count())
        .join(Event, Event.id == EventSignup.event_id)
        .where(_events_starting(since, until), EventSignup.status.in_(LIVE_SIGNUPS))
        .group_by(EventSignup.unit_code)
    )
    return {str(unit): int(count) for unit, count in rows if unit is not None}


def signup_rows(since: datetime, until: datetime) -> Any:
    """The export's sign-ups sheet: (event, sign-up, officer name) for events starting in
    [since, until), by start, then confirmed before waiting, then press order."""
    return (
        select(Event, EventSignup, User.full_name)
        .join(Event, Event.id == EventSignup.event_id)
        .outerjoin(User, User.id == EventSignup.user_id)
        .where(_events_starting(since, until), EventSignup.status.in_(LIVE_SIGNUPS))
        .order_by(Event.starts_at, Event.id, EventSignup.status, EventSignup.seq)
    )
