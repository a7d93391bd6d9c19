"""Last in line: polite refusals for commands the user's role can't use, and a hint for the rest.

Nothing a user sends is silently ignored.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.commands import typed_menu
from bot.messengers import text_only
from bot.roles import Access

router = Router(name=__name__)

OFFICER_COMMANDS = ("baocao", "kiemtra", "bieumau", "lophoc", "trangthai", "cuatoi")
STAFF_COMMANDS = (
    "thongbao",
    "sukien",
    "thongke",
    "chuabaocao",
    "hanbaocao",
    "xuat",
    "duyet",
    "hoso",
)
ADMIN_COMMANDS = ("phanquyen", "nhatky")


@router.message(Command(*OFFICER_COMMANDS, *STAFF_COMMANDS, *ADMIN_COMMANDS))
async def refuse(
    message: Message, command: CommandObject, access: Access, unit_officer: bool = False
) -> None:
    """A command this user's role may not use, or one this version does not have yet."""
    name = command.command.lower()
    if access is Access.GUEST:
        text = _(
            "This is for registered officers. Register with /dangky; once the department "
            "approves you, you can use it."
        )
    elif name in ADMIN_COMMANDS:
        text = _("This command is for admins only.")
    elif name in STAFF_COMMANDS and access is Access.OFFICER:
        text = _("This command is for department staff only.")
    elif name in OFFICER_COMMANDS and not unit_officer:
        text = _("This command is for the officers of communes and wards.")
    else:
        text = _("This feature is not available yet.")
    await message.answer(text + "\n" + _("/help lists what you can use."))


@router.callback_query()
async def stale_button(_query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button of a finished or expired dialog."""
    callback_answer.text = _("This button is no longer active.")


@router.message(F.chat.type == "private")
async def anything_else(message: Message, access: Access, unit_officer: bool = False) -> None:
    """Text or anything outside a dialog."""
    if message.text and message.text.startswith("/"):
        await message.answer(_("I don't know this command. /help lists the commands."))
    elif text_only(message.bot) and (menu := typed_menu(access, unit_officer)):
        # No command menu on this messenger: what this person can do, as words to type.
        lines = [_("I didn't understand. You can type:")]
        lines += [f"• {html.quote(word)} — {description}" for word, description in menu]
        lines.append(_("or help for everything."))
        await message.answer("\n".join(lines))
    else:
        await message.answer(_("I didn't understand. /help lists what I can do."))
