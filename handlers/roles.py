"""/phanquyen — an admin grants or takes the department-staff role, deactivates or reactivates.

Rights go only to approved people. By phone, only a number the person shared through
Telegram's contact button (so they own it) and that nobody else gave; a typed or shared-twice
number names nobody for sure, and the admin is told why. The change is chosen and confirmed in
`bot.grants.GRANT` (on the dialog engine); Xác nhận changes it, records it in the audit log and
queues the person's message in one commit.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from aiogram import Bot, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast import owed
from bot.callback_ids import TelegramId
from bot.commands import set_user_commands
from bot.dialogs import engine
from bot.dialogs.engine import REVIEW, DialogState, Reply
from bot.domain.phone import parse_phone
from bot.domain.text import shorten
from bot.domain.units import UnitDirectory
from bot.grants import (
    GRANT,
    GRANTS,
    Change,
    Person,
    Standing,
    available,
    card,
    describe,
    role_line,
    told,
)
from bot.middlewares.callback_answers import alert
from bot.people import person_name, person_phone
from bot.roles import Access, HasAccess, access_of, is_unit_officer
from bot.settings import Settings
from handlers.dialogs import DialogSpec, Finished, begin, context_for, register
from handlers.keyboards import button, inline
from storage.models import RegistrationStatus, Role, User
from storage.repositories import audit, users

log = logging.getLogger(__name__)
router = Router(name=__name__)
router.message.filter(HasAccess(Access.ADMIN))
router.callback_query.filter(HasAccess(Access.ADMIN))


class StaffListAction(enum.StrEnum):
    TAKE = "take"  # "Thu hồi quyền: …" under the staff list


class StaffListCb(CallbackData, prefix="staff_list"):
    action: StaffListAction
    person: TelegramId


def as_person(user: User, settings: Settings, units: UnitDirectory) -> Person:
    """The person as `bot.grants` reads them."""
    unit = units.get(user.unit_code or "")
    if user.id in settings.admin_ids:
        standing = Standing.ADMIN
    elif user.deactivated_at is not None:
        standing = Standing.DEACTIVATED
    elif user.role in (Role.STAFF, Role.ADMIN):
        standing = Standing.STAFF
    elif user.status is RegistrationStatus.APPROVED and user.unit_code:
        standing = Standing.OFFICER
    elif user.status is RegistrationStatus.PENDING:
        standing = Standing.PENDING
    elif user.status is RegistrationStatus.REJECTED:
        standing = Standing.REJECTED
    else:
        standing = Standing.OPENED
    return Person(
        id=user.id,
        name=person_name(user),
        standing=standing,
        unit=html.quote(unit.name) if unit else "",
        still_officer=user.is_unit_officer,
        phone=person_phone(user),
    )


@router.message(Command("phanquyen"))
async def roles(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    units: UnitDirectory,
    **deps: Any,
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
    people = [as_person(p, settings, units) for p in found]
    if phone is not None and len(found) > 1:
        lines = [
            _(
                "The number {phone} was given by {count} people, so it does not say who is "
                "meant. Use the person's Telegram id instead (below), for example /phanquyen {id}."
            ).format(phone=html.quote(shorten(argument, 40)), count=len(found), id=found[0].id)
        ]
        lines += [f"• {describe(p)} — {role_line(p).render(_)}" for p in people]
        await message.answer("\n".join(lines))
        return
    person = people[0]
    if phone is not None and not found[0].phone_verified:
        await message.answer(
            _(
                "The number of {person} was typed, not shared with Telegram's contact button, "
                "so it is unverified: anyone can type someone else's number. Check who it is "
                "and use their Telegram id (/phanquyen {id}), or ask them to register again "
                "and share their number."
            ).format(person=describe(person), id=person.id)
        )
        return
    if not available(person)[0]:
        await message.answer(card(person, _).render(_))  # an admin: nothing to change here
        return
    deps.update(session=session, settings=settings, units=units)
    data = {"person": person.id}
    ctx = await context_for(GRANT_SPEC, DialogState(GRANT.id, "", data=data), deps)
    await begin(deps["bot"], message.chat.id, state, engine.start(GRANT, ctx, data))


async def _staff_list(
    message: Message, session: AsyncSession, settings: Settings, units: UnitDirectory
) -> None:
    staff = await users.staff_members(session)
    lines = [_("<b>Department staff</b>")]
    for member in staff:
        person = as_person(member, settings, units)
        lines.append(
            f"• {describe(person)}"
            + (f" — {person.phone}" if person.phone else "")
            + f" — {role_line(person).render(_)}"
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
                StaffListCb(action=StaffListAction.TAKE, person=p.id),
            )
        ]
        for p in staff
        if p.id not in settings.admin_ids
    ]
    await message.answer("\n".join(lines), reply_markup=inline(*rows) if rows else None)


@router.callback_query(StaffListCb.filter())
async def take_from_list(
    query: CallbackQuery,
    callback_data: StaffListCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    **deps: Any,
) -> None:
    """Thu hồi quyền under the staff list: the question at once, the change already chosen."""
    data = {"person": callback_data.person}
    state_now = DialogState(GRANT.id, REVIEW, {"change": Change.TAKE.value}, data=data)
    ctx = await context_for(GRANT_SPEC, state_now, deps)
    person: Person | None = ctx.extra.get("person")
    changes, why_not = available(person) if person is not None else ((), None)
    if Change.TAKE not in changes:
        alert(callback_answer, why_not.render(_) if why_not else _("Nothing to change."))
        return
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await begin(deps["bot"], chat_id, state, Reply(state_now, engine.show(GRANT, state_now, ctx)))


async def _look_up(state: DialogState, deps: dict[str, Any]) -> dict[str, Any]:
    """The person as they are now, for every screen (another admin may have changed them)."""
    user = await users.get_user(deps["session"], int(state.data["person"]))
    if user is None:
        return {}
    return {"person": as_person(user, deps["settings"], deps["units"])}


async def change(done: Finished) -> None:
    """Xác nhận: the change, its record and the person's message in one commit; then said."""
    session: AsyncSession = done.deps["session"]
    settings: Settings = done.deps["settings"]
    units: UnitDirectory = done.deps["units"]
    i18n: I18n = done.deps["i18n"]
    chosen = Change(done.answers["change"])
    await done.state.clear()
    user = await users.get_user(session, int(done.data["person"]))
    if user is None or chosen not in available(as_person(user, settings, units))[0]:
        await done.bot.send_message(done.chat_id, _("Nothing to change."))
        return
    admin_id = done.user_id
    if chosen in GRANTS:
        also = chosen is Change.STAFF_KEEP
        await users.grant_staff(session, user, also_officer=also, by=admin_id)
        audit.record(
            session,
            admin_id,
            "role.grant_staff",
            target=str(user.id),
            also_officer=user.also_officer,
        )
    elif chosen is Change.TAKE:
        await users.take_staff(session, user)
        audit.record(session, admin_id, "role.take_staff", target=str(user.id))
    elif chosen is Change.OFF:
        await users.deactivate(session, user, by=admin_id)
        audit.record(session, admin_id, "user.deactivate", target=str(user.id))
    else:
        await users.reactivate(session, user)
        audit.record(session, admin_id, "user.reactivate", target=str(user.id))
    locale = user.locale or settings.default_locale
    now = as_person(user, settings, units)
    with i18n.use_locale(locale):
        text = " ".join(part.render(_) for part in told(chosen, now))
    owed.owe_text(session, user.id, text, kind="role.change", locale=locale)
    await session.commit()
    await done.bot.send_message(
        done.chat_id,
        _("Done: {person} — {role}.").format(person=describe(now), role=role_line(now).render(_)),
    )
    await _menu(done.bot, i18n, settings, user, locale)


async def _menu(bot: Bot, i18n: I18n, settings: Settings, user: User, locale: str) -> None:
    """The person's command menu for their new rights (a convenience: best effort)."""
    access = access_of(user, settings.admin_ids, user.id)
    await set_user_commands(bot, i18n, user.id, access, locale, is_unit_officer(user, access))


GRANT_SPEC = DialogSpec(GRANT, frozenset({Access.ADMIN}), change, prepare=_look_up)
register(GRANT_SPEC)
