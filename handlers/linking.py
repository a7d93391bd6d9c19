"""/lienket: one person on Zalo and Telegram. A code from one messenger, typed on the other.

On the messenger where the person is registered, `/lienket` gives a one-time code; on the
other one, `/lienket 123456` (on Zalo also `lien ket 123456`) makes that account the same
person: same role, unit and submissions (storage.repositories.links).
"""

from __future__ import annotations

import re

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import set_user_commands
from bot.linked_telegram import TelegramAccounts
from bot.messengers import Messengers, text_only
from bot.roles import Access, access_of, is_unit_officer
from bot.settings import Settings
from bot.timefmt import local_datetime
from storage.models import User
from storage.repositories import accounts, links
from storage.repositories.accounts import TELEGRAM, ZALO, ZALO_FIRST_ID
from storage.repositories.links import Refusal

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")

NAMES = {TELEGRAM: "Telegram", ZALO: "Zalo"}
_CODE = re.compile(r"^\d{6}$")


@router.message(Command("lienket"))
async def link(
    message: Message,
    command: CommandObject,
    bot: Bot,
    session: AsyncSession,
    user: User | None,
    access: Access,
    clock: Clock,
    messengers: Messengers,
    telegram_accounts: TelegramAccounts,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    """No code: give one (to a registered person); with a code: link this account."""
    here = ZALO if text_only(bot) else TELEGRAM
    if command.args:
        linked = await _redeem(message, command.args, here, session, user, clock)
        if linked is None:
            return
        await state.clear()  # whatever this account had begun (a registration) is moot
        await session.commit()
        if here == TELEGRAM:
            telegram_accounts.learn(message.chat.id, linked.id)
        elif linked.id > ZALO_FIRST_ID:
            telegram_accounts.learn(linked.id, linked.id)
        await _welcome(bot, message, here, linked, settings, i18n)
        return
    await _give(message, here, session, user, access, clock, messengers)


async def _give(
    message: Message,
    here: str,
    session: AsyncSession,
    user: User | None,
    access: Access,
    clock: Clock,
    messengers: Messengers,
) -> None:
    there = links.other(here)
    if user is None or access not in (Access.OFFICER, Access.STAFF, Access.ADMIN):
        await message.answer(
            _(
                "Registered on {there}? Send /lienket to the bot there to get a code, then send "
                "it here: /lienket 123456. Not registered yet: /dangky."
            ).format(there=NAMES[there])
        )
        return
    if (messengers.telegram if there == TELEGRAM else messengers.zalo) is None:
        await message.answer(
            _("This bot is not on {there}, so there is nothing to link.").format(there=NAMES[there])
        )
        return
    if there in await links.messengers_of(session, user):
        await message.answer(
            _("Your account is already linked with {there}.").format(there=NAMES[there])
        )
        return
    code = await links.issue(session, user, here, clock.now())
    await session.commit()
    minutes = int(links.CODE_LIFETIME.total_seconds() // 60)
    await message.answer(
        _(
            "Your link code: <b>{code}</b>\n\n"
            "On {there}, send this to the department's bot: /lienket {code}\n"
            "It works once, until {until} ({minutes} minutes). Give it to nobody: whoever "
            "types it uses the bot as you."
        ).format(
            code=code.code,
            there=NAMES[there],
            until=local_datetime(code.expires_at, clock.tz)[-5:],
            minutes=minutes,
        )
    )


async def _redeem(
    message: Message,
    args: str,
    here: str,
    session: AsyncSession,
    user: User | None,
    clock: Clock,
) -> User | None:
    """The person this account now is, or None (and the reason told)."""
    code = re.sub(r"[\s.\-]", "", args)
    if not _CODE.match(code):
        await message.answer(_("A link code has 6 digits, e.g. /lienket 123456."))
        return None
    holder_id = message.chat.id
    if here == TELEGRAM:
        external: str | None = str(holder_id)
    else:
        external = await accounts.zalo_id_of(session, holder_id)
    assert external is not None  # a Zalo update comes from an account (bot.zalo.polling)
    now = clock.now()
    result = await links.redeem(session, code, here, external, holder_id, user, now)
    if isinstance(result, User):
        return result
    await session.commit()  # a wrong code is counted
    left = links.WRONG_CODES_PER_HOUR - await links.wrong_codes(session, holder_id, now)
    await message.answer(_refusal_text(result, here, max(0, left)))
    return None


async def _welcome(
    bot: Bot, message: Message, here: str, person: User, settings: Settings, i18n: I18n
) -> None:
    """Told on this account, in the person's language, with the menu of their role."""
    access = access_of(person, settings.admin_ids, person.id)
    unit_officer = is_unit_officer(person, access)
    name = html.quote(person.full_name or person.telegram_name or "")
    locale = person.locale or i18n.default_locale
    with i18n.use_locale(locale):
        text = _(
            "Linked. On {here} you are now {name}: the same role, unit and submissions as on "
            "{there}. What the bot sends you later comes on the messenger you used last."
        ).format(here=NAMES[here], name=name, there=NAMES[links.other(here)])
    # On Zalo the account is the person's already: written to by the person's id.
    chat_id = message.chat.id if here == TELEGRAM else person.id
    await bot.send_message(chat_id, text)
    if here == TELEGRAM and access is not Access.GUEST:
        await set_user_commands(bot, i18n, chat_id, access, locale, unit_officer)


def _refusal_text(refusal: Refusal, here: str, tries_left: int) -> str:
    there = NAMES[links.other(here)]
    texts = {
        Refusal.WRONG: _(
            "This code is not right, or it was already used. Check it and send it again, "
            "e.g. /lienket 123456 ({left} tries left this hour)."
        ).format(left=tries_left),
        Refusal.EXPIRED: _("This code has expired. Get a new one with /lienket on {there}.").format(
            there=there
        ),
        Refusal.SAME_MESSENGER: _(
            "This code is to be sent on {there}, not here: there it links that account to this one."
        ).format(there=there),
        Refusal.TOO_MANY: _(
            "Too many wrong codes. For your safety, linking is paused for an hour; then get "
            "a new code with /lienket on {there}."
        ).format(there=there),
        Refusal.TAKEN: _(
            "This {here} account already belongs to a registered person, so it can't become "
            "another one's. If both are yours and you want a single account, ask the "
            "department."
        ).format(here=NAMES[here]),
        Refusal.ALREADY: _("This account is already linked to you: nothing to do."),
        Refusal.HAS_ONE: _(
            "The person of this code already has another {here} account linked."
        ).format(here=NAMES[here]),
    }
    return texts[refusal]
