"""Buttons of events and what officers' and staff's handlers share.

Callback data carries ids only; every handler reads the rows again and checks who
pressed, so forged or stale data is refused politely and changes nothing.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Hashable

from aiogram.filters.callback_data import CallbackData, CallbackDataException
from aiogram.types import InlineKeyboardMarkup, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import RowId
from bot.domain.events import EventKind, SignupStatus
from bot.events import render
from bot.settings import Settings
from handlers.keyboards import button, inline
from storage.models import Event, EventSignup
from storage.repositories import users

log = logging.getLogger(__name__)


class EventAction(enum.StrEnum):
    """An officer's press on an event."""

    JOIN = "join"
    ATTEND = "attend"
    ABSENT = "absent"
    WHO = "who"  # change who attends


class EventCb(CallbackData, prefix="ev"):
    action: EventAction
    id: RowId


class SignupAction(enum.StrEnum):
    """An officer's press on their sign-up."""

    LEAVE = "leave"  # asks first
    DROP = "drop"  # confirmed
    KEEP = "keep"


class SignupCb(CallbackData, prefix="su"):
    action: SignupAction
    id: RowId  # the sign-up
    event_id: RowId  # its event: the key that orders presses (see bot.middlewares.press_order)


SEAT_ACTIONS = {EventAction.JOIN, EventAction.ATTEND, EventAction.ABSENT}


def press_key(update: Update) -> Hashable | None:
    """The event a press competes for seats of, read without any I/O (for PressOrder)."""
    query = update.callback_query
    data = query.data if query is not None else None
    if not data:
        return None
    try:
        if data.startswith("ev:"):
            pressed = EventCb.unpack(data)
            return ("event", pressed.id) if pressed.action in SEAT_ACTIONS else None
        if data.startswith("su:"):
            leaving = SignupCb.unpack(data)
            return ("event", leaving.event_id) if leaving.action is SignupAction.DROP else None
    except (CallbackDataException, ValueError, TypeError):
        return None
    return None


def join_label(event: Event, full: bool) -> str:
    return _("📝 Join the waiting list") if full else _("📝 Sign up")


def officer_buttons(
    event: Event, mine: EventSignup | None, full: bool, open_for_me: bool
) -> InlineKeyboardMarkup | None:
    """The buttons under an event in /lophoc, for this officer's state."""
    live = mine is not None and mine.status in (SignupStatus.CONFIRMED, SignupStatus.WAITING)
    if event.kind is EventKind.CONFERENCE:
        if not open_for_me:
            return None
        rows = [
            [
                button(_("✅ Attend"), EventCb(action=EventAction.ATTEND, id=event.id)),
                button(_("🚫 Absent"), EventCb(action=EventAction.ABSENT, id=event.id)),
            ]
        ]
        if live:
            rows.append(
                [button(_("👥 Change who attends"), EventCb(action=EventAction.WHO, id=event.id))]
            )
        return inline(*rows)
    if live and mine is not None:
        label = (
            _("❌ Leave the waiting list")
            if mine.status is SignupStatus.WAITING
            else _("❌ Cancel my sign-up")
        )
        return inline(
            [button(label, SignupCb(action=SignupAction.LEAVE, id=mine.id, event_id=event.id))]
        )
    if open_for_me:
        return inline(
            [button(join_label(event, full), EventCb(action=EventAction.JOIN, id=event.id))]
        )
    return None


def notice_buttons(event: Event, gettext: render.Gettext) -> list[list[tuple[str, CallbackData]]]:
    """The buttons under the announcement, in the department's language."""
    if event.kind is EventKind.CONFERENCE:
        return [
            [
                (gettext("✅ Attend"), EventCb(action=EventAction.ATTEND, id=event.id)),
                (gettext("🚫 Absent"), EventCb(action=EventAction.ABSENT, id=event.id)),
            ]
        ]
    return [[(gettext("📝 Sign up"), EventCb(action=EventAction.JOIN, id=event.id))]]


def leave_buttons(signup: EventSignup) -> InlineKeyboardMarkup:
    label = (
        _("❌ Leave the waiting list")
        if signup.status is SignupStatus.WAITING
        else _("❌ Cancel my sign-up")
    )
    return inline(
        [button(label, SignupCb(action=SignupAction.LEAVE, id=signup.id, event_id=signup.event_id))]
    )


async def tell_promoted(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    event: Event,
    promoted: list[EventSignup],
) -> None:
    """Everyone moved up from the waiting list hears it: queued in the transaction that moved
    them (call it before the commit), sent by the outbox."""
    for signup in promoted:
        person = await users.get_user(session, signup.user_id)
        locale = (person.locale if person else None) or settings.default_locale
        with i18n.use_locale(locale):
            text = render.promoted_notice(event, _, settings.tz)
            markup = leave_buttons(signup)
        owed.owe_text(
            session, signup.user_id, text, kind="event.promoted", markup=markup, locale=locale
        )


def positions(rows: list[EventSignup]) -> dict[int, int]:
    """Waiting-list positions (by sign-up id) among the given sign-ups of one event."""
    waiting = sorted((r for r in rows if r.status is SignupStatus.WAITING), key=lambda r: r.seq)
    return {row.id: number for number, row in enumerate(waiting, start=1)}
