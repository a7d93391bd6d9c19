"""Notices after Gửi: the list of recent ones, a notice's report, Chi tiết by unit, and
stopping one that is being sent (or cancelling one that waits for its time)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import report
from bot.broadcast.report import NoticeAction, NoticeButton
from bot.domain.units import UnitDirectory
from bot.middlewares.callback_answers import alert
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from handlers.broadcasts.dialog import Bc, ComposerButton
from handlers.keyboards import button, inline
from storage.models import NoticeStatus
from storage.repositories import audit
from storage.repositories import broadcasts as notices

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))

RECENT = 10


@router.callback_query(Bc.filter(F.action == ComposerButton.HISTORY))
async def recent(query: CallbackQuery, session: AsyncSession, settings: Settings) -> None:
    """The latest notices, newest first, each a button to its report."""
    if not isinstance(query.message, Message):
        return
    latest = await notices.recent(session, RECENT)
    if not latest:
        await query.message.answer(_("No notice has been sent yet."))
        return
    rows = []
    for notice in latest:
        counts = await notices.counts(session, notice.id)
        label = report.history_line(notice, counts, settings.tz)
        rows.append([button(label, NoticeAction(action=NoticeButton.OPEN, id=notice.id))])
    await query.message.answer(
        _("<b>Recent notices</b> (press one to see its report):"), reply_markup=inline(*rows)
    )


@router.callback_query(NoticeAction.filter(F.action == NoticeButton.OPEN))
async def open_notice(
    query: CallbackQuery,
    callback_data: NoticeAction,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    settings: Settings,
) -> None:
    """One notice's report, with Chi tiết, and Dừng while it is not over."""
    notice = await notices.get(session, callback_data.id)
    if notice is None or not isinstance(query.message, Message):
        callback_answer.text = _("This notice no longer exists.")
        return
    counts = await notices.counts(session, notice.id)
    row: list[InlineKeyboardButton] = [
        button(_("📋 Details"), NoticeAction(action=NoticeButton.DETAILS, id=notice.id))
    ]
    if notice.status in (NoticeStatus.SCHEDULED, NoticeStatus.SENDING):
        row.append(
            button(_("⛔ Stop sending"), NoticeAction(action=NoticeButton.STOP, id=notice.id))
        )
    await query.message.answer(
        report.report_text(notice, counts, settings.tz), reply_markup=inline(row)
    )


@router.callback_query(NoticeAction.filter(F.action == NoticeButton.DETAILS))
async def details(
    query: CallbackQuery, callback_data: NoticeAction, session: AsyncSession, units: UnitDirectory
) -> None:
    """Chi tiết: the recipients by unit, who got it and who did not, and why."""
    if not isinstance(query.message, Message):
        return
    lines = await notices.details(session, callback_data.id)
    for page in report.details_pages(callback_data.id, lines, units):
        await query.message.answer(page)


@router.callback_query(NoticeAction.filter(F.action == NoticeButton.STOP))
async def stop(
    query: CallbackQuery,
    callback_data: NoticeAction,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
) -> None:
    """Dừng gửi: what was not tried yet is not sent; messages already on their way arrive."""
    before = await notices.cancel(session, callback_data.id, query.from_user.id)
    if before is None:
        alert(callback_answer, _("This notice is no longer being sent."))
        return
    audit.record(session, query.from_user.id, "notice.cancel", target=str(callback_data.id))
    await session.commit()
    if before is NoticeStatus.SCHEDULED:
        callback_answer.text = _("Cancelled.")
        if isinstance(query.message, Message):
            await query.message.edit_text(
                _("⛔ Notice #{id} was cancelled before its time; nothing was sent.").format(
                    id=callback_data.id
                ),
                reply_markup=None,
            )
        return
    # The worker turns the progress bar into the final report once the last requests end.
    callback_answer.text = _("Stopping. Messages already on their way will still arrive.")
