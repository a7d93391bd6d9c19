"""First in line: commands sent in a group, and anything from a deactivated person.

A group (the staff group of `STAFF_CHAT_ID` too) is no place for a personal or staff answer:
`/chuabaocao` there would list officers' names and phones to everyone in it. Commands work only
in a private chat with the bot; a group gets one short sentence saying so. Buttons on the cards
the bot posts in the staff group still work (their routers check who pressed).
"""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.middlewares.callback_answers import alert
from bot.roles import Access, HasAccess

router = Router(name=__name__)

# Any command addressed to this bot (`/xuat`, `/xuat@khcn_bot`), not to another bot in the group.
ANY_COMMAND = Command(re.compile(r"\w+"))


@router.message(F.chat.type != "private", ANY_COMMAND)
async def private_only(message: Message) -> None:
    """A command sent in a group: say briefly where it works, answer nothing else."""
    await message.answer(_("This command only works in a private chat with the bot."))


@router.message(F.chat.type == "private", HasAccess(Access.DEACTIVATED))
async def deactivated(message: Message) -> None:
    """A deactivated person: a clear answer, and no access to anything."""
    await message.answer(
        _(
            "Your account has been deactivated by the department, so you can no longer use the "
            "bot. The submissions you sent are kept. If you think this is a mistake, contact "
            "the department."
        )
    )


@router.callback_query(HasAccess(Access.DEACTIVATED))
async def deactivated_button(_query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button pressed by a deactivated person."""
    alert(callback_answer, _("Your account has been deactivated by the department."))
