"""Commands everyone may use: /start, /help, /huy, /ngonngu."""

from __future__ import annotations

from aiogram import Bot, Router, html
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import command_list, set_user_commands
from bot.roles import Access
from storage.models import RegistrationStatus, User
from storage.repositories import users

router = Router(name=__name__)


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@router.message(CommandStart())
async def start(
    message: Message,
    user: User | None,
    access: Access,
    state: FSMContext,
    session: AsyncSession,
) -> None:
    """Greet the user by role; invite an unknown user to register."""
    if user is None and message.from_user is not None:
        # Remembered from the first /start, so an admin can find them for /phanquyen.
        await users.create_guest(session, message.from_user.id, message.from_user.full_name)
        await session.commit()
    name = html.quote(message.from_user.first_name if message.from_user else "")
    if access is Access.ADMIN:
        text = _("Hello {name}! You are an admin of the bot.").format(name=name)
    elif access is Access.STAFF:
        text = _("Hello {name}! You are signed in as department staff.").format(name=name)
    elif access is Access.OFFICER:
        assert user is not None
        text = _("Hello {name}! You are the science and technology officer of your unit.").format(
            name=html.quote(user.full_name or name)
        )
    elif user is not None and user.status is RegistrationStatus.PENDING:
        text = _(
            "Hello {name}! Your registration is waiting for the department's approval. "
            "You will get a message as soon as it is decided."
        ).format(name=name)
    else:
        text = _(
            "Hello {name}! This is the bot of the Department of Science and Technology for "
            "the science and technology officers of communes and wards.\n\n"
            "To start, register with /dangky."
        ).format(name=name)
    if await state.get_state() is not None:
        text += "\n\n" + _(
            "You have a dialog under way: answer the last question, or /huy to cancel it."
        )
    await message.answer(text + "\n\n" + _("/help lists the commands."))


@router.message(Command("help"))
async def help_(message: Message, access: Access, unit_officer: bool = False) -> None:
    """List the commands this user's role may use."""
    lines = [_("<b>Commands</b>")]
    lines += [
        f"/{command} — {description}" for command, description in command_list(access, unit_officer)
    ]
    await message.answer("\n".join(lines))


@router.message(Command("huy"))
async def cancel(message: Message, state: FSMContext) -> None:
    """Cancel whatever dialog is under way."""
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."), reply_markup=ReplyKeyboardRemove())
        return
    await state.clear()
    await message.answer(_("Cancelled. Nothing was sent."), reply_markup=ReplyKeyboardRemove())


@router.message(Command("ngonngu"))
async def choose_language(message: Message) -> None:
    """Offer the languages."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=label, callback_data=LanguageChoice(code=code).pack())
                for code, label in LANGUAGE_NAMES.items()
            ]
        ]
    )
    await message.answer(_("Choose your language:"), reply_markup=keyboard)


@router.callback_query(LanguageChoice.filter())
async def set_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    callback_answer: CallbackAnswer,
    session: AsyncSession,
    user: User | None,
    access: Access,
    i18n: I18n,
    bot: Bot,
    unit_officer: bool = False,
) -> None:
    """Store the chosen language and answer in it."""
    if callback_data.code not in i18n.available_locales:
        callback_answer.text = _("This language is not available.")
        return
    if user is None:
        user = await users.create_guest(session, query.from_user.id, query.from_user.full_name)
    await users.set_locale(session, user, callback_data.code)
    await session.commit()
    i18n.current_locale = callback_data.code
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _("Language: {language}.").format(language=LANGUAGE_NAMES[callback_data.code])
        )
    if access is not Access.GUEST:
        await set_user_commands(
            bot, i18n, query.from_user.id, access, callback_data.code, unit_officer
        )
