"""/sukien for staff: the events, each as a card with Danh sách, Excel, Sửa, Đóng đăng ký, Hủy.

```mermaid
stateDiagram-v2
    [*] --> menu: /sukien (➕ Tạo sự kiện mới, or an event)
    menu --> card: an event pressed
    card --> card: 👥 Danh sách (messages) · 📊 Excel (a document)
    card --> fields: ✏️ Sửa (in place)
    fields --> value: a field → type the new value (checked like at creation)
    value --> card: saved, committed; the registered are told what changed
    card --> confirm_close: ⛔ Đóng đăng ký → Có / Không (in place)
    card --> confirm_cancel: 🗑 Hủy sự kiện → Có / Không (in place)
    confirm_cancel --> card: cancelled; everyone registered is told
```
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import RowId
from bot.clock import Clock
from bot.dialogs import engine
from bot.domain import events as rules
from bot.domain.events import EventKind, EventStatus
from bot.domain.text import N_, shorten
from bot.domain.units import UnitDirectory
from bot.events import export, notices, render
from bot.events.dialog import EDIT_EVENT, answers_of, moment
from bot.events.notices import Waker
from bot.messengers import text_only
from bot.middlewares.callback_answers import alert
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.dialogs import DialogSpec, Finished, begin, context, register
from handlers.editing import edit_markup, edit_text
from handlers.events.common import positions, tell_promoted
from handlers.keyboards import back_label, button, inline
from storage.models import Event
from storage.repositories import audit, events

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class Manage(enum.StrEnum):
    """What a staff member's press on /sukien does."""

    NEW = "new"  # ➕ a new event
    OPEN = "open"  # an event's card, as a new message
    CARD = "card"  # back to the card, in place
    LIST = "list"  # 👥 the participants
    XLSX = "xlsx"  # 📊 the same as a workbook
    EDIT = "edit"  # ✏️ the fields to change
    FIELD = "field"  # one of them
    CLOSE = "close"  # ⛔ close sign-ups? (asked first)
    CLOSE_CONFIRMED = "close_ok"
    CANCEL = "cancel"  # 🗑 cancel the event? (asked first)
    CANCEL_CONFIRMED = "cancel_ok"


class StaffEventCb(CallbackData, prefix="sev"):
    action: Manage
    id: RowId = 0
    field: str = ""  # with FIELD: a key of EDITABLE


EDITABLE = {
    "title": N_("Title"),
    "starts": N_("Start"),
    "ends": N_("End"),
    "place": N_("Place"),
    "seats": N_("Seats"),
    "deadline": N_("Sign-up deadline"),
    "description": N_("Description"),
}


@router.message(Command("sukien"))
async def menu(message: Message, session: AsyncSession, clock: Clock, settings: Settings) -> None:
    """New event, or one of the events not over yet."""
    found = await events.staff_events(session, clock.now())
    rows = [
        [
            button(
                f"{'❌ ' if e.status is EventStatus.CANCELLED else ''}"
                f"{e.starts_at.astimezone(settings.tz):%d/%m} · {shorten(e.title, 40)}",
                StaffEventCb(action=Manage.OPEN, id=e.id),
            )
        ]
        for e in found
    ]
    rows.insert(0, [button(_("➕ New event"), StaffEventCb(action=Manage.NEW))])
    text = _("<b>Training courses and conferences</b>")
    if not found:
        text += "\n" + _("No event yet.")
    await message.answer(text, reply_markup=inline(*rows))


@router.callback_query(StaffEventCb.filter(F.action == Manage.NEW))
async def new_event(
    query: CallbackQuery, state: FSMContext, clock: Clock, units: UnitDirectory
) -> None:
    from handlers.events.create import start  # create imports this module's send_card

    assert query.bot is not None
    await start(query.bot, query.from_user.id, state, clock, units)


# --- the card ----------------------------------------------------------------------------------


async def _card(
    session: AsyncSession, event: Event, units: UnitDirectory, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    counts = await events.counts(session, event.id)
    invited = [] if event.invite_all else await events.invited_unit_codes(session, event.id)
    answered = 0
    if event.kind is EventKind.CONFERENCE:
        answered = len({s.unit_code for s, _p in await events.participants(session, event.id)})
    text = render.staff_card(event, counts, invited, units, answered, _, settings.tz)
    return text, card_buttons(event)


def card_buttons(event: Event) -> InlineKeyboardMarkup:
    rows = [
        [
            button(_("👥 Participants"), StaffEventCb(action=Manage.LIST, id=event.id)),
            button(_("📊 Excel"), StaffEventCb(action=Manage.XLSX, id=event.id)),
        ]
    ]
    if event.status is not EventStatus.CANCELLED:
        second = [button(_("✏️ Edit"), StaffEventCb(action=Manage.EDIT, id=event.id))]
        if event.status is EventStatus.OPEN:
            second.append(
                button(_("⛔ Close sign-ups"), StaffEventCb(action=Manage.CLOSE, id=event.id))
            )
        rows.append(second)
        rows.append(
            [button(_("🗑 Cancel the event"), StaffEventCb(action=Manage.CANCEL, id=event.id))]
        )
    return inline(*rows)


async def send_card(
    bot: Bot,
    chat_id: int,
    session: AsyncSession,
    event: Event,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    text, markup = await _card(session, event, units, settings)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def _event(answer: CallbackAnswer, session: AsyncSession, event_id: int) -> Event | None:
    event = await events.get_event(session, event_id)
    if event is None:
        alert(answer, _("This event no longer exists."))
    return event


def _where(query: CallbackQuery) -> tuple[Bot, int, int | None]:
    assert query.bot is not None
    message = query.message
    return (
        query.bot,
        message.chat.id if message is not None else query.from_user.id,
        message.message_id if message is not None else None,
    )


@router.callback_query(StaffEventCb.filter(F.action.in_({Manage.OPEN, Manage.CARD})))
async def open_card(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    """An event's card (open: a new message; card: back to it, in place)."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    bot, chat_id, message_id = _where(query)
    text, markup = await _card(session, event, units, settings)
    if callback_data.action is Manage.CARD:
        await edit_text(bot, chat_id, message_id, text, markup)
    else:
        await bot.send_message(chat_id, text, reply_markup=markup)


# --- participants --------------------------------------------------------------------------


async def _participants(
    session: AsyncSession, event: Event, units: UnitDirectory
) -> tuple[list[Any], dict[int, int], list[str]]:
    rows = export.by_unit(await events.participants(session, event.id), units)
    not_answered: list[str] = []
    if event.kind is EventKind.CONFERENCE:
        invited = (
            [u.code for u in units]
            if event.invite_all
            else await events.invited_unit_codes(session, event.id)
        )
        answered = {signup.unit_code for signup, _person in rows}
        not_answered = [code for code in invited if code not in answered]
    return rows, positions([signup for signup, _person in rows]), not_answered


@router.callback_query(StaffEventCb.filter(F.action == Manage.LIST))
async def list_participants(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
) -> None:
    """👥 Danh sách: who is in, by unit (for a conference: the units' answers, and who has not
    answered)."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    bot, chat_id, _message_id = _where(query)
    rows, waiting, not_answered = await _participants(session, event, units)
    for text in render.participants_text(event, rows, waiting, not_answered, units, _):
        await bot.send_message(chat_id, text)


@router.callback_query(StaffEventCb.filter(F.action == Manage.XLSX))
async def participants_file(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    """📊 Excel: the same list as a workbook."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    bot, chat_id, _message_id = _where(query)
    rows, waiting, not_answered = await _participants(session, event, units)
    content = export.participants_workbook(
        event, rows, waiting, not_answered, units, _, settings.tz
    )
    await bot.send_document(
        chat_id,
        BufferedInputFile(content, filename=export.file_name(event)),
        caption=_("👥 Participants: {title}").format(title=html.quote(event.title)),
    )


# --- close, cancel -------------------------------------------------------------------------


@router.callback_query(StaffEventCb.filter(F.action.in_({Manage.CLOSE, Manage.CANCEL})))
async def ask_first(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
) -> None:
    """Đóng đăng ký / Hủy sự kiện: asked first, in place."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    if event.status is EventStatus.CANCELLED:
        alert(callback_answer, _("This event has been cancelled."))
        return
    bot, chat_id, message_id = _where(query)
    if callback_data.action is Manage.CLOSE:
        yes = button(
            _("⛔ Yes, close sign-ups"), StaffEventCb(action=Manage.CLOSE_CONFIRMED, id=event.id)
        )
    else:
        counts = await events.counts(session, event.id)
        yes = button(
            _("🗑 Yes, cancel it and tell {count} people").format(
                count=counts.confirmed + counts.waiting
            ),
            StaffEventCb(action=Manage.CANCEL_CONFIRMED, id=event.id),
        )
    no = button(_("↩️ No"), StaffEventCb(action=Manage.CARD, id=event.id))
    await edit_markup(bot, chat_id, message_id, inline([yes], [no]))


@router.callback_query(StaffEventCb.filter(F.action == Manage.CLOSE_CONFIRMED))
async def close(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    closed = await events.close_signups(session, event.id)
    if closed:
        audit.record(session, query.from_user.id, "event_close", str(event.id))
    await session.commit()
    if not closed:
        alert(callback_answer, _("Sign-ups for this event are not open any more."))
    else:
        callback_answer.text = _("Sign-ups closed.")
    await _refresh(query, session, event.id, units, settings)


async def _refresh(
    query: CallbackQuery,
    session: AsyncSession,
    event_id: int,
    units: UnitDirectory,
    settings: Settings,
) -> None:
    event = await events.get_event(session, event_id)
    if event is None:
        return
    bot, chat_id, message_id = _where(query)
    text, markup = await _card(session, event, units, settings)
    await edit_text(bot, chat_id, message_id, text, markup)


@router.callback_query(StaffEventCb.filter(F.action == Manage.CANCEL_CONFIRMED))
async def cancel(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    broadcasts: Waker | None = None,
) -> None:
    """Hủy sự kiện: cancelled, and everyone registered (waiting list too) is told."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    if not await events.cancel_event(session, event.id):
        alert(callback_answer, _("This event has been cancelled."))
        return
    event = await events.get_event(session, event.id)
    assert event is not None
    people = await events.participant_user_ids(session, event.id, waiting=True)
    with i18n.use_locale(settings.default_locale):
        text = render.cancelled_notice(event, _, settings.tz)
    told = await notices.queue(
        session,
        created_by=query.from_user.id,
        text=text,
        recipients=people,
        event_id=event.id,
        key=f"event-cancelled:{event.id}",
    )
    audit.record(session, query.from_user.id, "event_cancel", str(event.id))
    await session.commit()
    notices.wake(broadcasts)
    callback_answer.text = _("Cancelled. {count} people are being told.").format(count=told)
    await _refresh(query, session, event.id, units, settings)


# --- edit ----------------------------------------------------------------------------------


@router.callback_query(StaffEventCb.filter(F.action == Manage.EDIT))
async def choose_field(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
) -> None:
    """✏️ Sửa: the fields, in place of the card's buttons."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    if event.status is EventStatus.CANCELLED:
        alert(callback_answer, _("This event has been cancelled."))
        return
    names = list(EDITABLE)
    rows = [
        [
            button(_(EDITABLE[n]), StaffEventCb(action=Manage.FIELD, id=event.id, field=n))
            for n in names[i : i + 3]
        ]
        for i in range(0, len(names), 3)
    ]
    rows.append([button(back_label(), StaffEventCb(action=Manage.CARD, id=event.id))])
    bot, chat_id, message_id = _where(query)
    await edit_markup(bot, chat_id, message_id, inline(*rows))


@router.callback_query(StaffEventCb.filter(F.action == Manage.FIELD))
async def ask_value(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    units: UnitDirectory,
) -> None:
    """A field pressed: its question from the creation dialog, with the current value."""
    event = await _event(callback_answer, session, callback_data.id)
    if event is None:
        return
    if callback_data.field not in EDITABLE or event.status is EventStatus.CANCELLED:
        callback_answer.text = _("This button is no longer active.")
        return
    bot, chat_id, message_id = _where(query)
    await edit_markup(bot, chat_id, message_id, card_buttons(event))
    reply = engine.start_at(
        EDIT_EVENT,
        context(clock, units, typed=text_only(bot)),
        answers_of(event, clock.tz),
        callback_data.field,
        {"event_id": event.id, "field": callback_data.field},
    )
    await begin(bot, chat_id, state, reply)


async def save_edit(done: Finished) -> None:
    """The new value, checked by the dialog: stored under the seat lock, committed, told."""
    field = done.data["field"]
    value = done.answers.get(field)
    if field in ("starts", "ends", "deadline"):
        value = moment(value)
    deps = done.deps
    event = await events.get_event(deps["session"], int(done.data["event_id"]))
    if event is None or event.status is EventStatus.CANCELLED:
        await done.state.clear()
        await done.bot.send_message(done.chat_id, _("This event can't be changed any more."))
        return
    await _save(
        done.bot,
        done.chat_id,
        done.user_id,
        done.state,
        deps["session"],
        deps["clock"],
        deps["settings"],
        deps["i18n"],
        deps["units"],
        deps.get("broadcasts"),
        event.id,
        field,
        value,
    )


register(DialogSpec(EDIT_EVENT, frozenset(STAFF_LEVELS), save_edit))


def changes_of(field: str, value: object, event: Event) -> dict[str, object]:
    """The columns a new value changes: a moved start moves the end (same length) and keeps
    the deadline no later than the start."""
    if field == "starts":
        assert isinstance(value, datetime)
        shift: timedelta = value - event.starts_at
        changes: dict[str, object] = {"starts_at": value, "ends_at": event.ends_at + shift}
        if event.signup_deadline > value:
            changes["signup_deadline"] = value
        return changes
    column = {"ends": "ends_at", "deadline": "signup_deadline"}.get(field, field)
    return {column: value}


def described(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        (label, before[label], after[label]) for label in before if before[label] != after[label]
    ]


def _shown(event: Event, tz: Any) -> dict[str, str]:
    """What the registered see of an event, to tell them what changed."""
    return {
        _("Title"): event.title,
        _("Time"): render.when(event, _, tz),
        _("Place"): event.place,
        _("Sign-up deadline"): rules.format_moment(event.signup_deadline, tz),
        _("Description"): event.description or "—",
    }


async def _save(
    bot: Bot,
    chat_id: int,
    staff_id: int,
    state: FSMContext,
    session: AsyncSession,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    units: UnitDirectory,
    broadcasts: Waker | None,
    event_id: int,
    field: str,
    value: object,
) -> None:
    event = await events.get_event(session, event_id)
    if event is None:
        await state.clear()
        await bot.send_message(chat_id, _("This event no longer exists."))
        return
    with i18n.use_locale(settings.default_locale):
        before = _shown(event, settings.tz)
    outcome = await events.update_event(
        session, event_id, changes_of(field, value, event), clock.now()
    )
    if outcome.refused is not None or outcome.event is None:
        await session.rollback()  # nothing changed; don't hold the seat lock while we answer
        await bot.send_message(chat_id, (outcome.refused or events.NOT_FOUND).render(_))
        return
    event = outcome.event
    with i18n.use_locale(settings.default_locale):
        changed = described(before, _shown(event, settings.tz))
        text = render.change_notice(event, changed, _) if changed else ""
    told = 0
    if changed:
        people = await events.participant_user_ids(session, event.id, waiting=True)
        told = await notices.queue(
            session, created_by=staff_id, text=text, recipients=people, event_id=event.id
        )
    audit.record(session, staff_id, "event_edit", str(event.id), field=field)
    await tell_promoted(session, i18n, settings, event, outcome.promoted)
    await session.commit()
    notices.wake(broadcasts)
    await state.clear()
    await bot.send_message(
        chat_id, _("Saved. {count} people signed up are being told.").format(count=told)
    )
    await send_card(bot, chat_id, session, event, units, settings)
