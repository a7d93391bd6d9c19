"""/sukien → Tạo sự kiện mới: the dialog is `bot.events.dialog.NEW_EVENT` (data, with its
diagram), run by `handlers.dialogs`; this module only starts it and publishes the result.

Công bố stores the event and queues its announcement through the broadcast engine,
commits, and only then tells the staff member it is published.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.dialogs import engine
from bot.domain.events import EventKind
from bot.domain.units import UnitDirectory
from bot.events import notices, render
from bot.events.dialog import ALL, NEW_EVENT, moment
from bot.messengers import text_only
from bot.roles import STAFF_LEVELS
from handlers.dialogs import DialogSpec, Finished, begin, context, register
from handlers.events.common import notice_buttons
from handlers.events.manage import send_card
from storage.repositories import audit, events
from storage.repositories.events import EventDraft


async def start(
    bot: Bot, chat_id: int, state: FSMContext, clock: Clock, units: UnitDirectory | None = None
) -> None:
    """A new draft, then its first question."""
    reply = engine.start(
        NEW_EVENT, context(clock, units, typed=text_only(bot)), {"token": str(uuid.uuid4())}
    )
    await begin(bot, chat_id, state, reply)


def draft(answers: dict[str, Any]) -> EventDraft:
    invite = answers["invite"]
    return EventDraft(
        kind=EventKind(answers["kind"]),
        title=answers["title"],
        starts_at=moment(answers["starts"]),
        ends_at=moment(answers["ends"]),
        place=answers["place"],
        seats=answers.get("seats"),
        signup_deadline=moment(answers["deadline"]),
        invite_all=invite == ALL,
        unit_codes=() if invite == ALL else tuple(invite),
        description=answers.get("description"),
    )


async def publish(done: Finished) -> None:
    """Công bố: store the event and queue its announcement, commit, and only then confirm."""
    session = done.deps["session"]
    clock: Clock = done.deps["clock"]
    settings = done.deps["settings"]
    i18n: I18n = done.deps["i18n"]
    units: UnitDirectory = done.deps["units"]
    event, new = await events.create_event(
        session,
        draft(done.answers),
        created_by=done.user_id,
        token=done.data["token"],
        now=clock.now(),
    )
    reached = 0
    if new:
        audit.record(session, done.user_id, "event_publish", str(event.id))
        people = await events.invitees(session, event)
        with i18n.use_locale(settings.default_locale):
            text = render.announcement(event, _, settings.tz)
            buttons = notices.keyboard(*notice_buttons(event, _))
        reached = await notices.queue(
            session,
            created_by=done.user_id,
            text=text,
            recipients=people,
            event_id=event.id,
            buttons=buttons,
            key=f"event-announcement:{event.id}",
            report_chat_id=done.chat_id,
        )
    await session.commit()
    notices.wake(done.deps.get("broadcasts"))
    await done.state.clear()
    if not new:
        await done.bot.send_message(
            done.chat_id, _("This event was already published (#{id}).").format(id=event.id)
        )
        return
    if reached:
        text = _(
            "📢 Published (#{id}). The announcement is on its way to {count} officers."
        ).format(id=event.id, count=reached)
    else:
        text = _(
            "📢 Published (#{id}), but no approved officer is invited yet: nobody was told. "
            "Officers who register later see it in /lophoc."
        ).format(id=event.id)
    await done.bot.send_message(done.chat_id, text)
    await send_card(done.bot, done.chat_id, session, event, units, settings)


register(DialogSpec(NEW_EVENT, frozenset(STAFF_LEVELS), publish))
