"""/dangky: the dialog is `bot.registration.dialog.REGISTRATION` (data, with its diagram), run
by `handlers.dialogs`; this module says who may start it and stores the result.

Gửi stores the registration as pending and owes the applicant's confirmation and the
approvers' cards (which warn of a phone number someone else gave) through the outbox, in one
transaction; the confirmation goes out once it has committed.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast import owed
from bot.clock import Clock
from bot.dialogs import engine
from bot.dialogs.engine import DialogState
from bot.domain.units import UnitDirectory
from bot.messengers import text_only
from bot.registration.dialog import REGISTRATION, Application, intro
from bot.roles import Access
from handlers.approval import notify_approvers
from handlers.dialogs import DialogSpec, Finished, InDialog, begin, carry_out, context, register
from storage.models import RegistrationStatus, User
from storage.repositories import users

router = Router(name=__name__)


@router.message(Command("dangky"))
async def start(
    message: Message,
    state: FSMContext,
    user: User | None,
    access: Access,
    units: UnitDirectory,
    clock: Clock,
    **deps: Any,
) -> None:
    """Start a registration, or go on with the one under way."""
    if access in (Access.STAFF, Access.ADMIN):
        await message.answer(_("You are department staff: you don't need to register."))
        return
    if access is Access.OFFICER and user is not None:
        unit = units.get(user.unit_code or "")
        await message.answer(
            _("You are already registered as the officer of {unit}.").format(
                unit=html.quote(unit.name if unit else "?")
            )
        )
        return
    if user is not None and user.status is RegistrationStatus.PENDING:
        await message.answer(
            _("Your registration is already waiting for approval; you will be told the outcome.")
        )
        return
    assert message.bot is not None
    ctx = context(clock, units, typed=text_only(message.bot))
    running = await _running(state)
    if running is not None:
        await message.answer(_("Your registration is under way; let's go on where you stopped."))
        reply = engine.again(REGISTRATION, running, ctx)
        await carry_out(
            message.bot, message.chat.id, state, reply, {**deps, "clock": clock, "units": units}
        )
        return
    await message.answer(intro(ctx))
    await begin(message.bot, message.chat.id, state, engine.start(REGISTRATION, ctx))


async def _running(fsm: FSMContext) -> DialogState | None:
    if await fsm.get_state() != InDialog.active.state:
        return None
    raw = (await fsm.get_data()).get("dialog") or {}
    return DialogState.from_dict(raw) if raw.get("dialog") == REGISTRATION.id else None


async def submit(done: Finished) -> None:
    """Gửi: store the registration (pending) and owe its messages, commit, then confirm."""
    session = done.deps["session"]
    i18n: I18n = done.deps["i18n"]
    sender = done.deps.get("event_from_user")
    stored = await users.submit_registration(
        session,
        done.user_id,
        **asdict(Application.of(done.answers)),
        telegram_name=sender.full_name if sender is not None else None,
        locale=i18n.current_locale,
    )
    if stored is not None:
        # Owed, not sent: committed with the registration (see handlers.reviews).
        owed.owe_text(
            session,
            done.user_id,
            _(
                "✅ Your registration has been sent. The department will check it; "
                "you will get a message here as soon as it is approved."
            ),
            kind="registration.sent",
            locale=i18n.current_locale,
        )
        await notify_approvers(session, i18n, done.deps["settings"], done.deps["units"], stored)
    await session.commit()
    await done.state.clear()
    if stored is None:
        await done.bot.send_message(
            done.chat_id, _("Your registration is already waiting for approval.")
        )


register(DialogSpec(REGISTRATION, frozenset({Access.GUEST}), submit))
