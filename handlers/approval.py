"""Staff approve or reject registrations: the message to approvers, its buttons, and /duyet."""

from __future__ import annotations

import logging

from aiogram import Bot, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.phone import format_phone
from bot.domain.units import UnitDirectory
from bot.roles import STAFF_LEVELS, Access, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.keyboards import button, inline
from storage.models import RegistrationStatus, User
from storage.repositories import audit, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(*STAFF_LEVELS))
router.callback_query.filter(HasAccess(*STAFF_LEVELS))


class Decision(CallbackData, prefix="decide"):
    approve: bool
    user_id: TelegramId


def registration_card(applicant: User, units: UnitDirectory) -> str:
    unit = units.get(applicant.unit_code or "")
    return "\n".join(
        [
            _("<b>New registration</b>"),
            _("Full name: {value}").format(value=html.quote(applicant.full_name or "")),
            _("Unit: {value}").format(value=html.quote(unit.name if unit else "?")),
            _("Position: {value}").format(value=html.quote(applicant.position or "")),
            _("Phone: {value}").format(value=format_phone(applicant.phone or "")),
            _("Telegram: {value} (id {id})").format(
                value=html.quote(applicant.telegram_name or ""), id=applicant.id
            ),
        ]
    )


def decision_buttons(applicant_id: int) -> InlineKeyboardMarkup:
    return inline(
        [
            button(_("✅ Approve"), Decision(approve=True, user_id=applicant_id)),
            button(_("⛔ Reject"), Decision(approve=False, user_id=applicant_id)),
        ]
    )


async def notify_approvers(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    units: UnitDirectory,
    applicant: User,
) -> None:
    """Tell the admins (and the staff group, if any) that a registration waits for them."""
    targets: dict[int, str] = {}
    for admin_id in settings.admin_ids:
        admin = await users.get_user(session, admin_id)
        targets[admin_id] = (admin.locale if admin else None) or settings.default_locale
    if settings.staff_chat_id is not None:
        targets[settings.staff_chat_id] = settings.default_locale
    for chat_id, locale in targets.items():
        with i18n.use_locale(locale):
            text, markup = registration_card(applicant, units), decision_buttons(applicant.id)
        try:
            await bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            # An admin who never opened the bot can't be written to; the others still are.
            log.warning("could not tell approver %s about a registration: %s", chat_id, error)


@router.message(Command("duyet"))
async def pending(message: Message, session: AsyncSession, units: UnitDirectory) -> None:
    """List the registrations waiting for a decision, each with its buttons."""
    waiting = await users.pending_registrations(session)
    if not waiting:
        await message.answer(_("No registration is waiting for approval."))
        return
    await message.answer(_("{count} registration(s) waiting:").format(count=len(waiting)))
    for applicant in waiting:
        await message.answer(
            registration_card(applicant, units), reply_markup=decision_buttons(applicant.id)
        )


@router.callback_query(Decision.filter())
async def decide(
    query: CallbackQuery,
    callback_data: Decision,
    session: AsyncSession,
    user: User | None,
    units: UnitDirectory,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """Approve or reject; the officer is told, the action is recorded."""
    decided = await users.decide_registration(
        session, callback_data.user_id, approve=callback_data.approve, decided_by=query.from_user.id
    )
    if decided is None:
        current = await users.get_user(session, callback_data.user_id)
        status = current.status if current else None
        await query.answer(
            _("Already decided: approved.")
            if status is RegistrationStatus.APPROVED
            else _("Already decided: rejected.")
            if status is RegistrationStatus.REJECTED
            else _("This registration no longer exists."),
            show_alert=True,
        )
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
        return
    audit.record(
        session,
        query.from_user.id,
        "registration.approve" if callback_data.approve else "registration.reject",
        target=str(decided.id),
        unit=decided.unit_code,
    )
    await session.commit()
    await query.answer(_("Approved.") if callback_data.approve else _("Rejected."))
    if isinstance(query.message, Message):
        verdict = (
            _("✅ Approved by {who} at {when}")
            if callback_data.approve
            else _("⛔ Rejected by {who} at {when}")
        ).format(
            who=html.quote(query.from_user.full_name),
            when=local_datetime(decided.decided_at or decided.created_at, settings.tz),
        )
        await query.message.edit_text(
            registration_card(decided, units) + "\n\n" + verdict, reply_markup=None
        )
    await _tell_applicant(bot, i18n, settings, decided, approved=callback_data.approve)


async def _tell_applicant(
    bot: Bot, i18n: I18n, settings: Settings, applicant: User, approved: bool
) -> None:
    locale = applicant.locale or settings.default_locale
    with i18n.use_locale(locale):
        if approved:
            text = _(
                "✅ Your registration has been approved. Welcome! Type /help to see what you can do."
            )
        else:
            text = _(
                "Your registration was not approved. If you think this is a mistake, contact "
                "the department, or register again with /dangky."
            )
    try:
        await bot.send_message(applicant.id, text)
    except TelegramAPIError as error:
        log.warning("could not tell applicant %s the decision: %s", applicant.id, error)
    if approved:
        await set_user_commands(bot, i18n, applicant.id, Access.OFFICER, locale)
