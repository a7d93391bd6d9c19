"""Reminders to units that have not reported: at staff's request (Nhắc nhở) and before deadlines.

Both go through the broadcast engine (`bot.status.notices`). Deadline reminders are
claimed per unit and month in `deadline_reminders`, staff reminders in `staff_reminders`,
in the same transaction as the notice is queued: after a restart, with several processes,
or with two staff members pressing at once, a unit is reminded once of a month (by each
kind: a reminder before the deadline does not stop staff chasing a late unit after it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from aiogram import Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.domain import status as rules
from bot.domain.periods import Period
from bot.domain.units import UnitDirectory, UnitEntry
from bot.periodic import PeriodicCheck
from bot.status import notices
from bot.status.figures import MissingUnit, due_months, missing_reports, recent_months
from bot.status.render import reminder_text
from storage.repositories import deadlines
from storage.repositories import status as queries

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 600
# (months not reported, deadline or None) → the notice's text, in the department's language.
ReminderText = Callable[[Sequence[str], date | None], str]


@dataclass(frozen=True)
class Reminded:
    units: int
    recipients: int


@dataclass(frozen=True)
class ReminderPlan:
    """What Nhắc nhở would do now: the units to remind, by the months each is missing (one
    notice per group), and the reminders staff already sent for the period's months."""

    groups: dict[tuple[str, ...], list[MissingUnit]]
    already: list[deadlines.StaffReminderRecord]
    # Units still missing a month, with an officer, whose every missing month was reminded.
    skipped: int = 0

    @property
    def units(self) -> int:
        return sum(len(group) for group in self.groups.values())

    @property
    def recipients(self) -> int:
        return sum(len(u.officers) for group in self.groups.values() for u in group)


async def plan_reminder(
    session: AsyncSession, *, period: Period, units: Sequence[UnitEntry], today: date
) -> ReminderPlan:
    """The units missing a report for some begun month of the period, with an officer to
    tell, less the (unit, month) pairs staff have already reminded: once per unit and month."""
    months = await due_months(session, period, today)
    already = await deadlines.staff_reminded(session, rules.REPORT_FORM, months)
    done = {(r.unit_code, r.period) for r in already}
    groups: dict[tuple[str, ...], list[MissingUnit]] = {}
    skipped = 0
    for item in await missing_reports(session, period, units, today):
        if not item.officers:
            continue
        left = tuple(m for m in item.missing if (item.unit.code, m) not in done)
        if left:
            groups.setdefault(left, []).append(MissingUnit(item.unit, left, item.officers))
        else:
            skipped += 1
    return ReminderPlan(groups, already, skipped)


async def reminder_texts(
    session: AsyncSession, plan: ReminderPlan, text: ReminderText
) -> dict[tuple[str, ...], str]:
    """Each group's notice: its months, and the deadline when it is about one month."""
    months = sorted({m for group in plan.groups for m in group})
    due = await deadlines.deadlines_for(session, rules.REPORT_FORM, months)
    result = {}
    for group in plan.groups:
        deadline = due.get(group[0]) if len(group) == 1 else None
        result[group] = text(group, deadline.due_on if deadline is not None else None)
    return result


async def remind_missing(
    session: AsyncSession,
    *,
    period: Period,
    units: Sequence[UnitEntry],
    now: datetime,
    created_by: int,
    created_by_name: str,
    text: ReminderText,
) -> Reminded:
    """Nhắc nhở, confirmed: remind the officers of every unit still missing a month, once
    per unit and month.

    Each (unit, month) is claimed in `staff_reminders` (its primary key) in the caller's
    transaction with the notice queued, so two staff members confirming at once remind each
    unit once: the second claims nothing and gets Reminded(0, 0). Units missing the same
    months get one notice. Raises `notices.NoticeServiceMissing` while the broadcast engine
    is not installed (before anything is claimed).
    """
    if not notices.available():
        raise notices.NoticeServiceMissing("the broadcast engine (enqueue_notice) is not installed")
    plan = await plan_reminder(session, period=period, units=units, today=now.date())
    wanted = [
        (item.unit.code, month, len(item.officers))
        for group in plan.groups.values()
        for item in group
        for month in item.missing
    ]
    claimed = await deadlines.claim_staff_reminders(
        session,
        rules.REPORT_FORM,
        wanted,
        reminded_by=created_by,
        reminded_by_name=created_by_name,
        now=now,
    )
    groups: dict[tuple[str, ...], list[MissingUnit]] = {}
    for group in plan.groups.values():
        for item in group:
            months = tuple(m for m in item.missing if (item.unit.code, m) in claimed)
            if months:
                groups.setdefault(months, []).append(item)
    claimed_plan = ReminderPlan(groups, plan.already)
    texts = await reminder_texts(session, claimed_plan, text)
    for months, members in groups.items():
        await notices.queue_notice(
            session,
            created_by=created_by,
            text=texts[months],
            recipients=[o.id for item in members for o in item.officers],
        )
    return Reminded(claimed_plan.units, claimed_plan.recipients)


class DeadlineReminders(PeriodicCheck):
    """Checks the open deadlines every few minutes and reminds the units due a reminder."""

    name = "deadline-reminders"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        units: UnitDirectory,
        text: ReminderText,
        every: float = CHECK_EVERY_SECONDS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.units = units
        self.text = text
        super().__init__()
        self.every = every
        self._warned = False

    async def run_once(self) -> Reminded:
        """One check: every deadline in force (a month's own, or the rule's) whose reminder
        day has come."""
        now = self.clock.now()
        if now.hour < rules.REMIND_FROM_HOUR:
            return Reminded(0, 0)
        if not notices.available():
            if not self._warned:
                log.warning("deadline reminders wait for the broadcast engine (issue 5)")
                self._warned = True
            return Reminded(0, 0)
        units = recipients = 0
        today = now.date()
        recent = [p.months[0] for p in recent_months(today)]
        async with self.sessionmaker() as session:
            for form_id, deadline, set_by in await deadlines.open_deadlines(session, today, recent):
                done = await self._remind(session, form_id, deadline, set_by or 0, today)
                await session.commit()
                units += done.units
                recipients += done.recipients
        return Reminded(units, recipients)

    async def _remind(
        self,
        session: AsyncSession,
        form_id: str,
        deadline: rules.Deadline,
        set_by: int,
        today: date,
    ) -> Reminded:
        month = deadline.month
        if not deadline.reminding(today):
            return Reminded(0, 0)
        reported = {r.unit_code for r in await queries.live_reports(session, form_id, [month])}
        reminded = await deadlines.reminded_units(session, form_id, month)
        candidates = [u.code for u in self.units if u.code not in reported | reminded]
        officers = await queries.officers_of_units(session, candidates)
        due = rules.units_to_remind(
            deadline, today, candidates, reported, reminded, with_officers=officers
        )
        claimed = await deadlines.claim_reminders(
            session, form_id, month, {code: len(officers[code]) for code in due}
        )
        if not claimed:
            return Reminded(0, 0)
        people = [o.id for code in claimed for o in officers[code]]
        await notices.queue_notice(
            session, created_by=set_by, text=self.text([month], deadline.due_on), recipients=people
        )
        log.info(
            "reminded %d units (%d officers) of the %s report", len(claimed), len(people), month
        )
        return Reminded(len(claimed), len(people))


def install(
    dispatcher: Dispatcher,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    units: UnitDirectory,
    i18n: I18n,
    locale: str,
) -> DeadlineReminders:
    """Run the deadline reminders while the dispatcher runs (polling or webhook); tests find
    the worker as `deadline_reminders` in the dispatcher's data."""
    gettext = partial(i18n.gettext, locale=locale)

    def text(months: Sequence[str], due: date | None) -> str:
        return reminder_text(months, due, locale, gettext)

    worker = DeadlineReminders(sessionmaker, clock, units, text)
    dispatcher["deadline_reminders"] = worker
    dispatcher.startup.register(worker.start)
    dispatcher.shutdown.register(worker.stop)
    return worker
