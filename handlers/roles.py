"""/phanquyen — an admin grants or takes the department-staff role."""

from __future__ import annotations

from aiogram import Bot, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.domain.phone import parse_phone
from bot.domain.text import shorten
from bot.roles import Access, HasAccess
from bot.settings import Settings
from handlers.keyboards import button, inline
from storage.models import RegistrationStatus, Role, User
from storage.repositories import audit, users

router = Router(name=__name__)
router.message.filter(HasAccess(Access.ADMIN))
router.callback_query.filter(HasAccess(Access.ADMIN))


class RoleChange(CallbackData, prefix="role"):
    user_id: TelegramId
    staff: bool


def _describe(person: User) -> str:
    name = person.full_name or person.telegram_name or str(person.id)
    return f"{html.quote(name)} (id {person.id})"


@router.message(Command("phanquyen"))
async def roles(message: Message, command: CommandObject, session: AsyncSession) -> None:
    """Without an argument: the staff list and how to add one; with one: that person's card."""
    argument = (command.args or "").strip()
    if not argument:
        staff = await users.staff_members(session)
        lines = [_("<b>Department staff</b>")]
        lines += [f"• {_describe(p)}" for p in staff] or [_("(nobody yet)")]
        lines.append(
            _(
                "To grant or take the staff role, send /phanquyen followed by the person's phone "
                "number or Telegram id, for example: /phanquyen 0912 345 678. "
                "The person must have opened the bot once."
            )
        )
        rows = [
            [
                button(
                    _("Take the role: {name}").format(name=p.full_name or p.id),
                    RoleChange(user_id=p.id, staff=False),
                )
            ]
            for p in staff
        ]
        await message.answer("\n".join(lines), reply_markup=inline(*rows) if rows else None)
        return
    key = parse_phone(argument) or argument
    person = await users.find_user(session, key)
    if person is None:
        await message.answer(
            _("Nobody with “{value}” has opened the bot. Check the number or id.").format(
                value=html.quote(shorten(argument, 40))
            )
        )
        return
    if person.role is Role.ADMIN:
        await message.answer(
            _("{person} is an admin (set in ADMIN_IDS).").format(person=_describe(person))
        )
        return
    is_staff = person.role is Role.STAFF
    action = (
        button(_("Take the staff role"), RoleChange(user_id=person.id, staff=False))
        if is_staff
        else button(_("Grant the staff role"), RoleChange(user_id=person.id, staff=True))
    )
    await message.answer(
        (_("{person} is department staff.") if is_staff else _("{person} is not staff.")).format(
            person=_describe(person)
        ),
        reply_markup=inline([action]),
    )


@router.callback_query(RoleChange.filter())
async def change_role(
    query: CallbackQuery,
    callback_data: RoleChange,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    bot: Bot,
) -> None:
    """Grant or take the role; recorded in the audit log and reflected in the person's menu."""
    person = await users.get_user(session, callback_data.user_id)
    if person is None or person.role is Role.ADMIN:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    new_role = Role.STAFF if callback_data.staff else Role.OFFICER
    if person.role is new_role:
        await query.answer(_("Nothing to change."))
        return
    await users.set_role(session, person, new_role)
    audit.record(
        session,
        query.from_user.id,
        "role.grant_staff" if callback_data.staff else "role.take_staff",
        target=str(person.id),
    )
    await session.commit()
    await query.answer(_("Done."))
    if isinstance(query.message, Message):
        await query.message.edit_text(
            (
                _("{person} is now department staff.")
                if callback_data.staff
                else _("{person} is no longer department staff.")
            ).format(person=_describe(person)),
            reply_markup=None,
        )
    access = (
        Access.STAFF
        if callback_data.staff
        else Access.OFFICER
        if person.status is RegistrationStatus.APPROVED
        else Access.GUEST
    )
    await set_user_commands(bot, i18n, person.id, access, person.locale or settings.default_locale)
