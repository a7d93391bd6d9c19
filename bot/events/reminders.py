"""Reminders one day and one hour before an event, to everyone with a seat: sent once.

Each reminder is a row (`event_reminders`, key: event and kind) planned when the event
is published or moved. When it is due, a worker claims it with one UPDATE (`sent_at IS
NULL` in its WHERE clause) and queues the notice in the same transaction: after a
restart, or with two bot processes checking at once, exactly one claim succeeds, and a
claim whose transaction failed left nothing behind to be skipped. The recipients are
read at that moment, so late sign-ups and cancellations count.
"""

from __future__ import annotations

import logging
from functools import partial

from aiogram import Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.domain import events as rules
from bot.events import notices, render
from bot.periodic import PeriodicCheck
from storage.repositories import events

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 60


class EventReminders(PeriodicCheck):
    name = "event-reminders"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        i18n: I18n,
        locale: str,
        every: float = CHECK_EVERY_SECONDS,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.i18n = i18n
        self.locale = locale
        super().__init__()
        self.every = every
        self.broadcasts: notices.Waker | None = None

    async def run_once(self) -> int:
        """Queue every reminder that is due; how many this process claimed."""
        now = self.clock.now()
        async with self.sessionmaker() as session:
            due = await events.due_reminders(session, now)
        claimed = 0
        for event_id, kind in due:
            async with self.sessionmaker() as session:
                if await self._remind(session, event_id, kind):
                    claimed += 1
                await session.commit()
        if claimed:
            notices.wake(self.broadcasts)
        return claimed

    async def _remind(self, session: AsyncSession, event_id: int, kind: str) -> bool:
        now = self.clock.now()
        if not await events.claim_reminder(session, event_id, kind, now):
            return False  # another process (or an earlier run) has it
        event = await events.get_event(session, event_id)
        if event is None:
            return False
        if not rules.reminder_useful(kind, event.starts_at, now):
            log.info("event %s: the %s reminder is late and skipped", event_id, kind)
            return True
        people = await events.participant_user_ids(session, event_id)
        gettext = partial(self.i18n.gettext, locale=self.locale)
        text = render.reminder(event, kind, gettext, self.clock.tz)
        await notices.queue(
            session,
            created_by=event.created_by,
            text=text,
            recipients=people,
            event_id=event_id,
            key=f"event-reminder:{event_id}:{kind}:{event.starts_at.isoformat()}",
        )
        await events.record_reminder(session, event_id, kind, len(people))
        log.info("event %s: %s reminder queued for %d people", event_id, kind, len(people))
        return True


def install(
    dispatcher: Dispatcher,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    i18n: I18n,
    locale: str,
) -> EventReminders:
    """Run the reminders while the dispatcher runs; tests find the worker as
    `event_reminders` in the dispatcher's data."""
    worker = EventReminders(sessionmaker, clock, i18n, locale)
    worker.broadcasts = dispatcher.workflow_data.get("broadcasts")
    dispatcher["event_reminders"] = worker
    dispatcher.startup.register(worker.start)
    dispatcher.shutdown.register(worker.stop)
    return worker
