"""/thongbao, the review's buttons: Gửi (store, then the worker sends), Sửa, Hẹn giờ."""

from __future__ import annotations

from datetime import UTC

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import resolve
from bot.broadcast.report import NoticeAction, number
from bot.broadcast.schedule import expected, parse_send_time
from bot.broadcast.worker import BroadcastWorker
from bot.clock import Clock
from bot.domain.text import Text
from bot.domain.units import UnitDirectory
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.broadcasts.content import ask_content
from handlers.broadcasts.dialog import Bc, Compose, audience_of, context, nav, send_at_of
from handlers.broadcasts.recipients import ask_audience
from handlers.broadcasts.review import content_of, show_review
from handlers.editing import edit_markup
from handlers.filters import NOT_A_COMMAND
from handlers.forms.dialog import Forms
from handlers.keyboards import back_label, button, inline
from storage.repositories import audit
from storage.repositories.broadcasts import enqueue_notice

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


@router.callback_query(Compose.review, Bc.filter(F.action == "send"))
async def send(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    forms: Forms,
    broadcasts: BroadcastWorker,
    bot: Bot,
) -> None:
    """Gửi: the notice and one row per recipient are committed; the worker does the rest."""
    data = await state.get_data()
    audience = audience_of(data)
    if audience is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."))
        return
    people = await resolve(session, audience, context(clock, forms))
    if not people:
        await query.answer(_("Nobody would receive it with this choice."), show_alert=True)
        return
    send_at = send_at_of(data)
    content = content_of(data)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    # Buttons off first, so a second tap finds nothing; the text stays until the worker
    # turns this message into the progress bar (it must not race an edit of ours).
    await edit_markup(bot, chat_id, message_id, None)
    notice = await enqueue_notice(
        session,
        created_by=query.from_user.id,
        text=content.text,
        recipients=[chat for chat, _unit in people],
        media_kind=content.media_kind,
        media_file_id=content.media_file_id,
        send_at=send_at.astimezone(UTC) if send_at else None,
        audience=audience.as_json(),
        key=f"compose:{data.get('token')}",
        report_chat_id=chat_id,
        # Sent now: the progress bar replaces this message. Later: a new message then.
        report_message_id=None if send_at else message_id,
    )
    audit.record(
        session,
        query.from_user.id,
        "notice.schedule" if send_at else "notice.send",
        target=str(notice.id),
        recipients=notice.total,
        audience=audience.as_json(),
        send_at=send_at.isoformat() if send_at else None,
    )
    await session.commit()
    await state.clear()
    if send_at is None:
        await query.answer(
            _("⏳ Notice #{id}: sending to {n} recipients begins…").format(
                id=notice.id, n=number(notice.total)
            )
        )
    else:
        await query.answer(_("Scheduled."))
        await query.message.edit_text(
            _("⏰ Notice #{id} will be sent at {when} to {n} recipients.").format(
                id=notice.id, when=local_datetime(send_at, settings.tz), n=number(notice.total)
            ),
            reply_markup=inline(
                [button(_("⛔ Cancel it"), NoticeAction(action="stop", id=notice.id))]
            ),
        )
    broadcasts.wake()


@router.callback_query(Compose.review, Bc.filter(F.action == "edit"))
async def choose_what_to_edit(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=inline(
                [
                    button(_("📝 The notice"), Bc(action="edit_content")),
                    button(_("👥 The recipients"), Bc(action="edit_audience")),
                ],
                [button(back_label(), Bc(action="back", value="review"))],
            )
        )


@router.callback_query(Compose.review, Bc.filter(F.action == "edit_content"))
async def edit_content(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.update_data(editing=True)
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await ask_content(query.message, state)


@router.callback_query(Compose.review, Bc.filter(F.action == "edit_audience"))
async def edit_audience(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, clock: Clock, forms: Forms
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await ask_audience(query.message, state, session, context(clock, forms))


@router.callback_query(Compose.review, Bc.filter(F.action == "later"))
async def ask_time(query: CallbackQuery, state: FSMContext, clock: Clock) -> None:
    """Hẹn giờ: ask when."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await state.set_state(Compose.schedule)
    rows = [nav(back="review")]
    if send_at_of(await state.get_data()) is not None:
        rows.insert(0, [button(_("▶️ Send right away instead"), Bc(action="now"))])
    await query.message.answer(
        _("When should it be sent?") + " " + expected(clock.now()).render(_),
        reply_markup=inline(*rows),
    )


@router.message(Compose.schedule, F.text, NOT_A_COMMAND)
async def got_time(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """The typed time: in the future, within a year."""
    moment = parse_send_time(message.text or "", clock.now())
    if isinstance(moment, Text):
        await message.answer(html.quote(moment.render(_)))
        return
    await state.update_data(send_at=moment.isoformat())
    assert message.bot is not None
    await show_review(
        message.bot,
        message.chat.id,
        state,
        session,
        units,
        settings,
        context(clock, forms),
        preview=False,
    )


@router.callback_query(Compose.schedule, Bc.filter(F.action == "now"))
@router.callback_query(Bc.filter((F.action == "back") & (F.value == "review")))
async def back_to_review(
    query: CallbackQuery,
    callback_data: Bc,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    clock: Clock,
    forms: Forms,
) -> None:
    """Back to the review (without a send time, after "send right away instead")."""
    if await state.get_state() not in (Compose.review.state, Compose.schedule.state):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if callback_data.action == "now":
        await state.update_data(send_at=None)
    if isinstance(query.message, Message) and query.bot is not None:
        await query.message.edit_reply_markup(reply_markup=None)
        await show_review(
            query.bot,
            query.message.chat.id,
            state,
            session,
            units,
            settings,
            context(clock, forms),
            preview=False,
        )


@router.message(Compose.schedule, NOT_A_COMMAND)
@router.message(Compose.review, NOT_A_COMMAND)
async def wrong_kind(message: Message, state: FSMContext, clock: Clock) -> None:
    if await state.get_state() == Compose.schedule.state:
        await message.answer(expected(clock.now()).render(_))
    else:
        await message.answer(_("Please press Send, Edit or Cancel under the notice."))
