"""Reminders to units that have not reported: at staff's request (Nhắc nhở) and before deadlines.

Both go through the broadcast engine (`bot.status.notices`). Deadline reminders are
claimed per unit and month in `deadline_reminders` in the same transaction as the
notice is queued: after a restart, or with several processes, a unit is reminded once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
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
from bot.status.figures import missing_reports
from bot.status.render import reminder_text
from storage.models import ReportDeadline
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


async def remind_missing(
    session: AsyncSession,
    *,
    period: Period,
    units: Sequence[UnitEntry],
    today: date,
    created_by: int,
    text: ReminderText,
) -> Reminded:
    """Nhắc nhở: queue a reminder to the officers of every unit with a month missing.

    Units missing the same months get one notice (its text names those months).
    Raises `notices.NoticeServiceMissing` while the broadcast engine is not installed.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    reached = 0
    for item in await missing_reports(session, period, units, today):
        if item.officers:
            reached += 1
            groups.setdefault(item.missing, []).extend(o.id for o in item.officers)
    for months, recipients in groups.items():
        await notices.queue_notice(
            session, created_by=created_by, text=text(months, None), recipients=recipients
        )
    return Reminded(reached, sum(len(r) for r in groups.values()))


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
        """One check: every open deadline whose reminder day has come."""
        now = self.clock.now()
        if now.hour < rules.REMIND_FROM_HOUR:
            return Reminded(0, 0)
        if not notices.available():
            if not self._warned:
                log.warning("deadline reminders wait for the broadcast engine (issue 5)")
                self._warned = True
            return Reminded(0, 0)
        units = recipients = 0
        async with self.sessionmaker() as session:
            for row in await deadlines.open_deadlines(session, now.date()):
                done = await self._remind(session, row, now.date())
                await session.commit()
                units += done.units
                recipients += done.recipients
        return Reminded(units, recipients)

    async def _remind(self, session: AsyncSession, row: ReportDeadline, today: date) -> Reminded:
        form_id, month = row.form_id, row.period
        deadline = rules.Deadline(month, row.due_on, row.remind_days_before)
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
            session, created_by=row.set_by, text=self.text([month], row.due_on), recipients=people
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
