"""/phanquyen — an admin grants or takes the department-staff role, deactivates or reactivates.

Rights go only to approved people. By phone, only a number the person shared through
Telegram's contact button (so they own it) and that nobody else gave; a typed or shared-twice
number names nobody for sure, and the admin is told why. Every change is confirmed first,
recorded in the audit log, and told to the person.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.phone import parse_phone
from bot.domain.text import shorten
from bot.domain.units import UnitDirectory
from bot.people import person_name, person_phone
from bot.roles import Access, HasAccess, access_of, is_unit_officer
from bot.settings import Settings
from handlers.keyboards import button, cancel_label, inline
from storage.models import RegistrationStatus, Role, User
from storage.repositories import audit, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(Access.ADMIN))
router.callback_query.filter(HasAccess(Access.ADMIN))

# staff_keep: staff and still the unit's officer; staff_only: staff, no longer the officer;
# staff: staff (no unit); take: back to officer; off / on: deactivate / reactivate.
ACTIONS = ("staff_keep", "staff_only", "staff", "take", "off", "on")


class PersonAction(CallbackData, prefix="person"):
    user_id: TelegramId
    action: str
    confirmed: bool = False


def _unit_name(person: User, units: UnitDirectory) -> str:
    unit = units.get(person.unit_code or "")
    return html.quote(unit.name) if unit else ""


def _describe(person: User) -> str:
    return f"{person_name(person)} (id {person.id})"


def _is_admin(person: User, settings: Settings) -> bool:
    return person.id in settings.admin_ids


def _role_line(person: User, settings: Settings, units: UnitDirectory) -> str:
    if _is_admin(person, settings):
        return _("admin (set in ADMIN_IDS)")
    if person.deactivated_at is not None:
        return _("deactivated")
    if person.role in (Role.STAFF, Role.ADMIN):
        if person.is_unit_officer:
            return _("department staff, and still the officer of {unit}").format(
                unit=_unit_name(person, units)
            )
        return _("department staff")
    if person.status is RegistrationStatus.APPROVED and person.unit_code:
        return _("officer of {unit}").format(unit=_unit_name(person, units))
    if person.status is RegistrationStatus.PENDING:
        return _("registration waiting for approval")
    if person.status is RegistrationStatus.REJECTED:
        return _("registration rejected")
    return _("not registered (opened the bot)")


@router.message(Command("phanquyen"))
async def roles(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    units: UnitDirectory,
) -> None:
    """Without an argument: the staff list and how to add one; with one: that person's card."""
    argument = (command.args or "").strip()
    if not argument:
        await _staff_list(message, session, settings, units)
        return
    # A Telegram id first (digits, no leading 0): some ids also read as phone numbers.
    phone = None
    found = await users.find_people(session, argument) if argument.isdigit() else []
    if not found or argument.startswith("0"):
        phone = parse_phone(argument)
        found = await users.find_people(session, phone) if phone else []
    if not found:
        await message.answer(
            _("Nobody with “{value}” has opened the bot. Check the number or id.").format(
                value=html.quote(shorten(argument, 40))
            )
        )
        return
    if phone is not None and len(found) > 1:
        lines = [
            _(
                "The number {phone} was given by {count} people, so it does not say who is "
                "meant. Use the person's Telegram id instead (below), for example /phanquyen {id}."
            ).format(phone=html.quote(shorten(argument, 40)), count=len(found), id=found[0].id)
        ]
        lines += [f"• {_describe(p)} — {_role_line(p, settings, units)}" for p in found]
        await message.answer("\n".join(lines))
        return
    person = found[0]
    if phone is not None and not person.phone_verified:
        await message.answer(
            _(
                "The number of {person} was typed, not shared with Telegram's contact button, "
                "so it is unverified: anyone can type someone else's number. Check who it is "
                "and use their Telegram id (/phanquyen {id}), or ask them to register again "
                "and share their number."
            ).format(person=_describe(person), id=person.id)
        )
        return
    await _person_card(message, person, settings, units)


async def _staff_list(
    message: Message, session: AsyncSession, settings: Settings, units: UnitDirectory
) -> None:
    staff = await users.staff_members(session)
    lines = [_("<b>Department staff</b>")]
    for p in staff:
        phone = person_phone(p)
        lines.append(
            f"• {_describe(p)}"
            + (f" — {phone}" if phone else "")
            + f" — {_role_line(p, settings, units)}"
        )
    if not staff:
        lines.append(_("(nobody yet)"))
    lines.append(
        _(
            "To grant or take the staff role, or to deactivate someone, send /phanquyen followed "
            "by the person's phone number or Telegram id, for example: /phanquyen 0912 345 678. "
            "The person must have opened the bot at least once."
        )
    )
    rows = [
        [
            button(
                _("Take the role: {name}").format(name=p.full_name or p.telegram_name or p.id),
                PersonAction(user_id=p.id, action="take"),
            )
        ]
        for p in staff
        if not _is_admin(p, settings)
    ]
    await message.answer("\n".join(lines), reply_markup=inline(*rows) if rows else None)


def _card_text(person: User, settings: Settings, units: UnitDirectory) -> str:
    lines = [
        _describe(person),
        _("Role: {value}").format(value=_role_line(person, settings, units)),
    ]
    phone = person_phone(person)
    if phone:
        lines.append(_("Phone: {value}").format(value=phone))
    return "\n".join(lines)


def _available(person: User, settings: Settings) -> tuple[list[str], str | None]:
    """The actions that fit this person, and why granting is not among them (if it is not)."""
    if _is_admin(person, settings):
        return [], _("Admins are set in ADMIN_IDS: change it there and restart the bot.")
    if person.deactivated_at is not None:
        return ["on"], None
    if person.role in (Role.STAFF, Role.ADMIN):
        return ["take", "off"], None
    if person.status is RegistrationStatus.PENDING:
        return ["off"], _(
            "Their registration waits for approval: rights go only to approved people. "
            "Approve or reject it first (/duyet)."
        )
    if person.status is RegistrationStatus.REJECTED:
        return ["off"], _("Their registration was rejected: rights go only to approved people.")
    if person.status is RegistrationStatus.APPROVED and person.unit_code:
        return ["staff_keep", "staff_only", "off"], None
    return ["staff", "off"], None


def _action_label(action: str, person: User, units: UnitDirectory) -> str:
    unit = _unit_name(person, units)
    return {
        "staff_keep": _("Make staff, still officer of {unit}").format(unit=unit),
        "staff_only": _("Make staff, no longer officer of {unit}").format(unit=unit),
        "staff": _("Grant the staff role"),
        "take": _("Take the staff role"),
        "off": _("Deactivate"),
        "on": _("Reactivate"),
    }[action]


async def _person_card(
    message: Message, person: User, settings: Settings, units: UnitDirectory
) -> None:
    actions, why_not = _available(person, settings)
    text = _card_text(person, settings, units)
    if why_not:
        text += "\n\n" + why_not
    rows: list[list[InlineKeyboardButton]] = [
        [button(_action_label(a, person, units), PersonAction(user_id=person.id, action=a))]
        for a in actions
    ]
    await message.answer(text, reply_markup=inline(*rows) if rows else None)


def _question(action: str, person: User, units: UnitDirectory) -> str:
    who = _describe(person)
    unit = _unit_name(person, units)
    return {
        "staff_keep": _(
            "Make {person} department staff, while they stay the officer of {unit}?"
        ).format(person=who, unit=unit),
        "staff_only": _(
            "Make {person} department staff? They will no longer be the officer of {unit}, "
            "and their unit will show no officer unless another one is registered."
        ).format(person=who, unit=unit),
        "staff": _(
            "Make {person} department staff? They have not registered with a unit; this grant "
            "approves them."
        ).format(person=who),
        "take": _("Take the staff role from {person}?").format(person=who),
        "off": _(
            "Deactivate {person}? They lose every right and can no longer use the bot; what they "
            "sent is kept."
        ).format(person=who),
        "on": _("Reactivate {person}?").format(person=who),
    }[action]


@router.callback_query(PersonAction.filter())
async def act(
    query: CallbackQuery,
    callback_data: PersonAction,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    units: UnitDirectory,
    bot: Bot,
) -> None:
    """First press: the confirmation; Xác nhận: the change, recorded and told to the person."""
    person = await users.get_user(session, callback_data.user_id)
    action = callback_data.action
    if action == "cancel" and isinstance(query.message, Message):
        await query.answer()
        await query.message.edit_text(_("Cancelled. Nothing changed."), reply_markup=None)
        return
    if person is None or action not in ACTIONS or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    actions, why_not = _available(person, settings)
    if action not in actions:
        await query.answer(why_not or _("Nothing to change."), show_alert=True)
        return
    if not callback_data.confirmed:
        await query.answer()
        await query.message.answer(
            _question(action, person, units),
            reply_markup=inline(
                [
                    button(
                        _("✅ Confirm"),
                        PersonAction(user_id=person.id, action=action, confirmed=True),
                    ),
                    button(cancel_label(), PersonAction(user_id=person.id, action="cancel")),
                ]
            ),
        )
        return
    admin_id = query.from_user.id
    if action in ("staff_keep", "staff_only", "staff"):
        await users.grant_staff(session, person, also_officer=action == "staff_keep", by=admin_id)
        audit.record(
            session,
            admin_id,
            "role.grant_staff",
            target=str(person.id),
            also_officer=person.also_officer,
        )
    elif action == "take":
        await users.take_staff(session, person)
        audit.record(session, admin_id, "role.take_staff", target=str(person.id))
    elif action == "off":
        await users.deactivate(session, person, by=admin_id)
        audit.record(session, admin_id, "user.deactivate", target=str(person.id))
    else:
        await users.reactivate(session, person)
        audit.record(session, admin_id, "user.reactivate", target=str(person.id))
    await session.commit()
    await query.answer(_("Done."))
    await query.message.edit_text(
        _("Done: {person} — {role}.").format(
            person=_describe(person), role=_role_line(person, settings, units)
        ),
        reply_markup=None,
    )
    await _tell_person(bot, i18n, settings, units, person, action)


async def _tell_person(
    bot: Bot, i18n: I18n, settings: Settings, units: UnitDirectory, person: User, action: str
) -> None:
    locale = person.locale or settings.default_locale
    access = access_of(person, settings.admin_ids, person.id)
    unit = _unit_name(person, units)
    with i18n.use_locale(locale):
        if action == "staff_keep":
            text = _(
                "You have been made department staff; you stay the officer of {unit}. "
                "/help lists what you can do now."
            ).format(unit=unit)
        elif action in ("staff_only", "staff"):
            text = _("You have been made department staff. /help lists what you can do now.")
        elif action == "take":
            text = _("Your department-staff role has been taken back.")
            if access is Access.OFFICER:
                text += " " + _("You are still the officer of {unit}.").format(unit=unit)
        elif action == "off":
            text = _(
                "Your account has been deactivated by the department, so you can no longer use "
                "the bot. The submissions you sent are kept. If you think this is a mistake, "
                "contact the department."
            )
        else:
            text = _("Your account has been reactivated. /help lists what you can do.")
    try:
        await bot.send_message(person.id, text)
    except TelegramAPIError as error:
        log.warning("could not tell %s of their new rights: %s", person.id, error)
    await set_user_commands(bot, i18n, person.id, access, locale, is_unit_officer(person, access))
