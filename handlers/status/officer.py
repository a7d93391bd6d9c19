"""/trangthai — an officer's own unit at a glance, with buttons to act on what is missing.

Only the officer's unit is ever read: the unit comes from their registration, not
from anything they type.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import status as rules
from bot.domain.periods import month_label
from bot.domain.units import UnitDirectory
from bot.forms import FormDefinition
from bot.roles import OFFICER_LEVELS, HasAccess
from bot.settings import Settings
from bot.status import figures, render
from handlers.forms.view import FormAction, FormCb
from handlers.reviews import ReopenCb
from storage.models import SubmissionStatus, User

router = Router(name=__name__)
router.message.filter(HasAccess(*OFFICER_LEVELS))


def action_buttons(status: figures.UnitStatus, lang: str) -> InlineKeyboardMarkup | None:
    """Gửi báo cáo for a month not sent (that month filled in); Sửa for a revision asked."""
    rows: list[list[InlineKeyboardButton]] = []
    missing = [s.month for s in status.reports if s.submission is None]
    if missing:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("📝 Send the report ({period})").format(
                        period=month_label(missing[0], lang)
                    ),
                    # The form dialog's own "open a form" button, with the period answered:
                    # drafts are offered back as usual.
                    callback_data=FormCb(
                        action=FormAction.OPEN, form=f"{rules.REPORT_FORM}@{missing[0]}"
                    ).pack(),
                )
            ]
        )
    sent_back = [s.submission for s in status.reports] + list(status.sent_back)
    for item in sent_back:
        if item is not None and item.status is SubmissionStatus.NEEDS_REVISION:
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("✏️ Revise {ref}").format(ref=item.reference),
                        callback_data=ReopenCb(id=item.id).pack(),
                    )
                ]
            )
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


@router.message(Command("trangthai"))
async def my_unit_status(
    message: Message,
    session: AsyncSession,
    user: User,
    units: UnitDirectory,
    clock: Clock,
    settings: Settings,
    i18n: I18n,
    forms: dict[str, FormDefinition],
) -> None:
    """This month's report (and last month's while outstanding), inspections sent, and the
    officer's upcoming events."""
    code = user.unit_code or ""
    today = clock.today()
    status = await figures.unit_status(
        session, code, today, settings.tz, officer_id=user.id, now=clock.now()
    )
    unit = units.get(code)
    lang = i18n.current_locale
    titles = {form_id: form.title.get(lang) for form_id, form in forms.items()}
    text = render.unit_status_text(
        status, unit.name if unit else code, today, settings.tz, lang, _, titles
    )
    await message.answer(text, reply_markup=action_buttons(status, lang))
