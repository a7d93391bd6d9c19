"""Staff approve or reject registrations: the message to approvers, its buttons, and /duyet."""

from __future__ import annotations

import logging

from aiogram import Bot, Router, html
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.phone import format_phone
from bot.domain.units import UnitDirectory
from bot.roles import STAFF_LEVELS, Access, HasAccess
from bot.settings import Settings
from bot.timefmt import local_datetime
from handlers.editing import edit_markup, edit_text
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


def card_key(applicant_id: int) -> str:
    """What the copies of a registration's card have in common in the outbox."""
    return f"registration:{applicant_id}"


async def notify_approvers(
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    units: UnitDirectory,
    applicant: User,
) -> None:
    """Queue the card of a registration for the admins, the staff and the staff group, in the
    caller's transaction (the outbox sends them once it commits; an admin who never opened
    the bot can't be written to, and the others still are)."""
    targets: dict[int, str] = {}
    for staff_id in [*settings.admin_ids, *await users.staff_and_admin_ids(session)]:
        if staff_id in targets or staff_id == applicant.id:
            continue
        person = await users.get_user(session, staff_id)
        targets[staff_id] = (person.locale if person else None) or settings.default_locale
    if settings.staff_chat_id is not None:
        targets[settings.staff_chat_id] = settings.default_locale
    for chat_id, locale in targets.items():
        with i18n.use_locale(locale):
            text, markup = registration_card(applicant, units), decision_buttons(applicant.id)
        owed.owe_text(
            session,
            chat_id,
            text,
            kind="registration.card",
            markup=markup,
            card=card_key(applicant.id),
            locale=locale,
        )


@router.message(Command("duyet"))
async def pending(
    message: Message, session: AsyncSession, units: UnitDirectory, i18n: I18n
) -> None:
    """List the registrations waiting for a decision, each with its buttons."""
    waiting = await users.pending_registrations(session)
    if not waiting:
        await message.answer(_("No registration is waiting for approval."))
        return
    await message.answer(_("{count} registration(s) waiting:").format(count=len(waiting)))
    for applicant in waiting:
        text = registration_card(applicant, units)
        shown = await message.answer(text, reply_markup=decision_buttons(applicant.id))
        # Remembered, so that a decision taken on another copy edits this one too.
        owed.record_card_copy(
            session,
            shown.chat.id,
            text,
            shown.message_id,
            card=card_key(applicant.id),
            locale=i18n.current_locale,
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
            # A second tap on a card already edited: "not modified" means it is done.
            await edit_markup(bot, query.message.chat.id, query.message.message_id, None)
        return
    audit.record(
        session,
        query.from_user.id,
        "registration.approve" if callback_data.approve else "registration.reject",
        target=str(decided.id),
        unit=decided.unit_code,
    )
    own = (
        (query.message.chat.id, query.message.message_id)
        if isinstance(query.message, Message)
        else None
    )
    who = html.quote(query.from_user.full_name)
    when = local_datetime(decided.decided_at or decided.created_at, settings.tz)

    def verdict() -> str:
        return (
            _("✅ Approved by {who} at {when}")
            if callback_data.approve
            else _("⛔ Rejected by {who} at {when}")
        ).format(who=who, when=when)

    await owed.close_card(
        session, card_key(decided.id), i18n, settings.default_locale, verdict, skip=own
    )
    _tell_applicant(session, i18n, settings, decided, approved=callback_data.approve)
    await session.commit()
    await query.answer(_("Approved.") if callback_data.approve else _("Rejected."))
    if own is not None:
        await edit_text(bot, own[0], own[1], registration_card(decided, units) + "\n\n" + verdict())
    if callback_data.approve:
        locale = decided.locale or settings.default_locale
        await set_user_commands(bot, i18n, decided.id, Access.OFFICER, locale)


def _tell_applicant(
    session: AsyncSession, i18n: I18n, settings: Settings, applicant: User, approved: bool
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
    owed.owe_text(session, applicant.id, text, kind="registration.decision", locale=locale)
