"""The figures behind /thongke, /chuabaocao and /trangthai, gathered from the database.

Each function takes a session and plain values (a Period, the unit list, today) and
returns a plain dataclass; rendering it for a person is `bot.status.render`'s job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import status as rules
from bot.domain.deadlines import DefaultPeriod, default_period
from bot.domain.events import EventStatus, SignupStatus
from bot.domain.periods import Period, PeriodKind
from bot.domain.status import Deadline
from bot.domain.units import UnitEntry
from bot.forms import FormDefinition, Localized
from storage.models import Event, Submission, SubmissionStatus
from storage.repositories import deadlines, events, submissions
from storage.repositories import status as queries
from storage.repositories.status import InspectionTotals, Officer, SignupTotals, Span


async def current_period(session: AsyncSession, today: date) -> DefaultPeriod:
    """The period a status command means when none is typed: the month whose report deadline
    is nearest (to come or just passed) — November on 01/12, not December."""
    recent = [p.months[0] for p in recent_months(today)]
    found = await deadlines.deadlines_for(session, rules.REPORT_FORM, recent)
    return default_period(today, found.get)


async def due_months(session: AsyncSession, period: Period, today: date) -> tuple[str, ...]:
    """The months of `period` units are expected to have reported by today."""
    last_due = (await current_period(session, today)).period.months[0]
    return period.months_due(today, last_due)


def recent_months(today: date) -> list[Period]:
    """The months whose deadline can still matter today: this one and the two before."""
    current = Period.of_day(today)
    return [current.previous().previous(), current.previous(), current]


def utc_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's first and after-last local midnights, in UTC: SQLite keeps times as
    text without their zone, so only UTC-to-UTC comparisons are right there."""
    return (
        datetime.combine(period.start, time(), tz).astimezone(UTC),
        datetime.combine(period.end, time(), tz).astimezone(UTC),
    )


def span(period: Period, tz: ZoneInfo) -> Span:
    """The period as days and as UTC times, for submissions placed by a date answer."""
    return Span(period.start, period.end, *utc_bounds(period, tz))


async def inspections_in(
    session: AsyncSession, period: Period, tz: ZoneInfo, unit_code: str | None = None
) -> InspectionTotals:
    """Inspection findings of the period, by their inspection date (a finding of 20/11 sent
    on 01/12 counts in November)."""
    return await queries.inspection_totals(
        session,
        rules.INSPECTION_FORM,
        span(period, tz),
        result_field=rules.INSPECTION_RESULT,
        violation=rules.VIOLATION,
        fine_field=rules.FINE_AMOUNT,
        unit_code=unit_code,
    )


@dataclass(frozen=True)
class Statistics:
    """/thongke for one period."""

    period: Period
    unit_total: int
    due_months: tuple[str, ...]
    complete_units: int
    reports_received: int
    by_state: dict[SubmissionStatus, int]
    by_area: list[tuple[Localized, int]]
    inspections: InspectionTotals
    # Units reported by week (a month), for the chart; empty for a quarter or a year.
    weekly: list[tuple[date, int]] = field(default_factory=list)
    # Events starting in the period and their confirmed and waiting sign-ups (issue 6).
    signups: SignupTotals | None = None

    @property
    def reports_expected(self) -> int:
        return self.unit_total * len(self.due_months)


async def statistics(
    session: AsyncSession,
    period: Period,
    units: Sequence[UnitEntry],
    report_form: FormDefinition | None,
    today: date,
    tz: ZoneInfo,
) -> Statistics:
    codes = {u.code for u in units}
    due = await due_months(session, period, today)
    reports = [
        r
        for r in await queries.live_reports(session, rules.REPORT_FORM, due)
        if r.unit_code in codes
    ]
    covered = rules.coverage(codes, due, ((r.unit_code, r.period) for r in reports))
    by_state = Counter(r.status for r in reports)
    areas = Counter[str]()
    for answer in await queries.report_answers(session, rules.REPORT_FORM, due, rules.REPORT_AREAS):
        if isinstance(answer, list):
            areas.update(str(name) for name in answer)
    by_area: list[tuple[Localized, int]] = []
    if report_form is not None:
        choices = report_form.field(rules.REPORT_AREAS).choices
        by_area = [(c.label, areas[c.name]) for c in choices if areas[c.name]]
        by_area.sort(key=lambda item: -item[1])
    weekly: list[tuple[date, int]] = []
    if period.kind is PeriodKind.MONTH and due:
        sent = await queries.first_sent(session, rules.REPORT_FORM, due[0])
        days = [moment.astimezone(tz).date() for code, moment in sent.items() if code in codes]
        until = today if period.start <= today < period.end else period.end - timedelta(days=1)
        weekly = rules.weekly_cumulative(days, period.start, max([until, *days]))
    return Statistics(
        period=period,
        unit_total=len(codes),
        due_months=due,
        complete_units=sum(1 for c in covered if c.complete),
        reports_received=len(reports),
        by_state=dict(by_state),
        by_area=by_area,
        inspections=await inspections_in(session, period, tz),
        weekly=weekly,
        signups=await queries.signup_totals(session, *utc_bounds(period, tz)),
    )


@dataclass(frozen=True)
class MissingUnit:
    """/chuabaocao: a unit with months not reported, and the officers to ask."""

    unit: UnitEntry
    missing: tuple[str, ...]
    officers: list[Officer]


async def missing_reports(
    session: AsyncSession, period: Period, units: Sequence[UnitEntry], today: date
) -> list[MissingUnit]:
    """Units lacking a report for some begun month of the period, by name."""
    due = await due_months(session, period, today)
    reports = await queries.live_reports(session, rules.REPORT_FORM, due)
    by_code = {u.code: u for u in units}
    lacking = [
        c
        for c in rules.coverage(by_code, due, ((r.unit_code, r.period) for r in reports))
        if not c.complete
    ]
    officers = await queries.officers_of_units(session, [c.unit_code for c in lacking])
    result = [
        MissingUnit(by_code[c.unit_code], c.missing, officers.get(c.unit_code, [])) for c in lacking
    ]
    result.sort(key=lambda m: m.unit.key)
    return result


@dataclass(frozen=True)
class ReportState:
    """One month's report of a unit: the live submission, if any, and the deadline in force
    (the month's own, or the rule's), if any."""

    month: str
    submission: Submission | None
    deadline: Deadline | None

    @property
    def needs_action(self) -> bool:
        return self.submission is None or self.submission.status is SubmissionStatus.NEEDS_REVISION


@dataclass(frozen=True)
class UnitStatus:
    """/trangthai: a unit's report for the current period (the month whose deadline is
    nearest), the month before while it is outstanding, and the inspection findings dated
    in the current period."""

    unit_code: str
    reports: list[ReportState]
    inspections: InspectionTotals
    # The officer's upcoming events (issue 6): signed up for, or invited to and open.
    upcoming_events: list[UpcomingEvent] = field(default_factory=list)
    period: Period | None = None
    # Other forms' submissions sent back for revision (inspection findings, imported forms).
    sent_back: list[Submission] = field(default_factory=list)


@dataclass(frozen=True)
class UpcomingEvent:
    """An event not started yet, with the officer's sign-up: confirmed, waiting (and their
    place on the list), or None when they are invited and may still sign up."""

    event: Event
    status: SignupStatus | None
    position: int = 0


async def upcoming_events(
    session: AsyncSession, user_id: int, unit_code: str, now: datetime, limit: int = 5
) -> list[UpcomingEvent]:
    """Soonest first: events the officer signed up for, and open ones their unit is invited to."""
    found = await events.officer_events(session, user_id, unit_code, now, limit=20)
    mine = await events.user_signups(session, user_id, [e.id for e in found])
    result: list[UpcomingEvent] = []
    for event in found:
        signup = mine.get(event.id)
        if signup is not None and signup.status is SignupStatus.CONFIRMED:
            result.append(UpcomingEvent(event, signup.status))
        elif signup is not None and signup.status is SignupStatus.WAITING:
            position = await events.waiting_position(session, signup)
            result.append(UpcomingEvent(event, signup.status, position))
        elif (
            (signup is None or signup.status is SignupStatus.CANCELLED)
            and event.status is EventStatus.OPEN
            and event.signup_deadline > now
        ):
            result.append(UpcomingEvent(event, None))
        if len(result) == limit:
            break
    return result


async def unit_status(
    session: AsyncSession,
    unit_code: str,
    today: date,
    tz: ZoneInfo,
    *,
    officer_id: int | None = None,
    now: datetime | None = None,
) -> UnitStatus:
    current = (await current_period(session, today)).period
    months = [current.previous().months[0], current.months[0]]
    due = await deadlines.deadlines_for(session, rules.REPORT_FORM, months)
    states = []
    for month in months:
        live = await submissions.live_for_period(session, rules.REPORT_FORM, unit_code, month)
        states.append(ReportState(month, live, due.get(month)))
    # Last month only while something is still to be done about it.
    shown = [s for s in states[:1] if s.needs_action] + states[1:]
    # A report sent back for revision waits for the officer whatever its month (December's,
    # sent early, say): it is shown too, and the other forms' ones on a line of their own.
    sent_back = await submissions.needing_revision(session, unit_code)
    for item in sent_back:
        if item.form_id == rules.REPORT_FORM and item.period and item.period not in months:
            shown.append(ReportState(item.period, item, None))
    shown.sort(key=lambda s: s.month)
    others = [item for item in sent_back if item.form_id != rules.REPORT_FORM]
    upcoming = (
        await upcoming_events(session, officer_id, unit_code, now)
        if officer_id is not None and now is not None
        else []
    )
    return UnitStatus(
        unit_code,
        shown,
        await inspections_in(session, current, tz, unit_code),
        upcoming,
        current,
        others,
    )
