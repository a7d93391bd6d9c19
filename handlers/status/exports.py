"""/xuat [period] — the period's Excel workbook, sent as a document."""

from __future__ import annotations

import io
from functools import partial

from aiogram import Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.units import UnitDirectory
from bot.events.period_sheet import SignupsSheet
from bot.forms import FormDefinition
from bot.roles import STAFF_LEVELS, HasAccess
from bot.settings import Settings
from bot.status.export import export_workbook, file_name
from handlers.status.common import period_argument
from storage.repositories import audit

router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))


@router.message(Command("xuat"))
async def export(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    units: UnitDirectory,
    forms: dict[str, FormDefinition],
    clock: Clock,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Build the workbook in memory and send it; the department's language for its headers."""
    chosen = await period_argument(command, clock, session)
    if isinstance(chosen, str):
        await message.answer(chosen)
        return
    period = chosen.period
    lang = i18n.current_locale
    note = chosen.note("xuat", lang)
    await message.answer(
        (note + "\n" if note else "")
        + _("⏳ Preparing the Excel file for {period}…").format(period=period.label(lang))
    )
    assert message.bot is not None
    await message.bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)
    locale = settings.default_locale
    out = io.BytesIO()
    result = await export_workbook(
        session,
        out,
        period=period,
        forms=forms,
        units=list(units),
        today=clock.today(),
        tz=settings.tz,
        gettext=partial(i18n.gettext, locale=locale),
        lang=locale,
        extra_sheets=[SignupsSheet(list(units))],
    )
    if message.from_user is not None:
        audit.record(
            session, message.from_user.id, "export", target=period.key, rows=result.submissions
        )
        await session.commit()
    await message.answer_document(
        BufferedInputFile(out.getvalue(), filename=file_name(period)),
        caption=_(
            "📁 {period}: {rows} submissions, one sheet per form, the event sign-ups "
            "and a summary by unit."
        ).format(period=period.label(lang, start=True), rows=result.submissions),
    )
