"""The review screen: the notice exactly as officers will see it, whom it goes to, and
Gửi / Sửa / Hủy / Hẹn giờ."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Bot, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import AUDIENCES, Audience, Context, resolve
from bot.broadcast.content import NoticeContent, send_notice
from bot.broadcast.report import number
from bot.domain.units import UnitDirectory
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.broadcasts.dialog import Bc, Compose, audience_of, send_at_of
from handlers.keyboards import button, cancel_label, inline

UNITS_SHOWN = 8  # chosen units named on the review screen; the rest are counted


def content_of(data: Mapping[str, Any]) -> NoticeContent:
    return NoticeContent(data.get("text") or "", data.get("media_kind"), data.get("media_file_id"))


def describe(audience: Audience, units: UnitDirectory, choice_label: str | None = None) -> str:
    """`All approved officers`, `Chosen units: Phường Cầu Giấy, Xã Hòa Xá`..."""
    kind = AUDIENCES.get(audience.kind)
    text = _(kind.label) if kind else audience.kind
    if audience.unit_codes:
        names = [
            (unit.name if (unit := units.get(code)) else code)
            for code in audience.unit_codes[:UNITS_SHOWN]
        ]
        more = len(audience.unit_codes) - UNITS_SHOWN
        text += ": " + ", ".join(names) + (f" (+{more})" if more > 0 else "")
    elif choice_label or audience.ref:
        text += ": " + (choice_label or str(audience.ref))
    return text


def review_buttons(scheduled: bool) -> InlineKeyboardMarkup:
    later = _("⏰ Change the time") if scheduled else _("⏰ Send later")
    return inline(
        [
            button(_("✅ Send"), Bc(action="send")),
            button(_("✏️ Edit"), Bc(action="edit")),
            button(cancel_label(), Bc(action="cancel")),
        ],
        [button(later, Bc(action="later"))],
    )


async def show_review(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    units: UnitDirectory,
    settings: Settings,
    context: Context,
    *,
    preview: bool = True,
) -> None:
    """Send the preview (unless only the time changed), then the counts and the buttons."""
    data = await state.get_data()
    audience = audience_of(data)
    if audience is None:
        return
    people = await resolve(session, audience, context)
    if not people:
        await state.set_state(Compose.audience)
        await bot.send_message(
            chat_id,
            _("Nobody would receive it with this choice. Please choose the recipients again."),
            reply_markup=inline([button(_("👥 Choose the recipients"), Bc(action="audience"))]),
        )
        return
    if preview:
        await bot.send_message(chat_id, _("<b>Preview</b> — officers will see exactly this:"))
        try:
            await send_notice(bot, chat_id, content_of(data))
        except TelegramBadRequest as error:
            await state.set_state(Compose.content)
            await bot.send_message(
                chat_id,
                _("Telegram refused this notice ({error}). Please send it again.").format(
                    error=html.quote(error.message)
                ),
            )
            return
    send_at = send_at_of(data)
    lines = [
        _("<b>Recipients: {n}</b>").format(n=number(len(people))),
        html.quote(describe(audience, units, data.get("choice_label"))),
    ]
    if send_at is not None:
        lines.append(_("⏰ Sends at {when}").format(when=local_datetime(send_at, settings.tz)))
    else:
        lines.append(_("Sends as soon as you press Send."))
    await state.set_state(Compose.review)
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=review_buttons(bool(send_at)))
