"""The command menu Telegram shows, per role and language, with Vietnamese descriptions."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.roles import Access

log = logging.getLogger(__name__)


def _everyone() -> list[tuple[str, str]]:
    return [
        ("start", _("Start, greeting")),
        ("help", _("What I can do for you")),
        ("huy", _("Cancel what is under way")),
        ("ngonngu", _("Change language")),
    ]


def command_list(access: Access, unit_officer: bool = False) -> list[tuple[str, str]]:
    """(command, description) pairs a user of this access level may use, in the current locale.

    `unit_officer`: staff who stay their unit's officer also get the officers' commands.
    """
    commands = _everyone()
    if access is Access.DEACTIVATED:
        return commands
    if access is Access.GUEST:
        commands.insert(1, ("dangky", _("Register as a unit's officer")))
    commands.append(("lienket", _("Use the bot on both Zalo and Telegram")))
    if access is Access.OFFICER or unit_officer:
        commands += [
            ("baocao", _("Send the activity report")),
            ("kiemtra", _("Send an inspection finding")),
            ("cuatoi", _("My unit's submissions")),
            ("trangthai", _("My unit's status: report, inspections")),
            ("bieumau", _("All forms")),
            ("lophoc", _("Open courses and events")),
        ]
    if access in (Access.STAFF, Access.ADMIN):
        commands.append(("duyet", _("Pending registrations")))
        commands.append(("hoso", _("Submissions: review, filter, versions")))
        commands.append(("thongbao", _("Broadcast a notice")))
        commands.append(("sukien", _("Courses and conferences: create, follow")))
        commands += [
            ("thongke", _("Statistics of a month, quarter or year")),
            ("chuabaocao", _("Units that have not reported")),
            ("hanbaocao", _("Set a report deadline")),
            ("xuat", _("Export to Excel")),
        ]
    if access is Access.ADMIN:
        commands.append(("phanquyen", _("Grant or take the staff role")))
        commands.append(("nhatky", _("Audit log: rights, approvals, rejections")))
    return commands


# On a messenger without a command menu (Zalo) commands are typed as words, with or without
# their diacritics (bot.zalo.updates.as_command): the words, and the few a short menu offers.
SPOKEN = {
    "dangky": "đăng ký",
    "baocao": "báo cáo",
    "kiemtra": "kiểm tra",
    "trangthai": "trạng thái",
    "cuatoi": "của tôi",
    "lophoc": "lớp học",
    "hoso": "hồ sơ",
    "duyet": "duyệt",
    "thongbao": "thông báo",
    "sukien": "sự kiện",
    "thongke": "thống kê",
    "chuabaocao": "chưa báo cáo",
    "phanquyen": "phân quyền",
}


def typed_menu(access: Access, unit_officer: bool = False) -> list[tuple[str, str]]:
    """(word, description): the main things this user can do, to type as words."""
    return [
        (SPOKEN[command], description)
        for command, description in command_list(access, unit_officer)
        if command in SPOKEN
    ]


def bot_commands(access: Access, unit_officer: bool = False) -> list[BotCommand]:
    return [BotCommand(command=c, description=d) for c, d in command_list(access, unit_officer)]


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    """The menu of everyone who has no menu of their own: in each language, guest commands."""
    for locale in i18n.available_locales:
        with i18n.context(), i18n.use_locale(locale):
            commands = bot_commands(Access.GUEST)
        language = None if locale == i18n.default_locale else locale
        try:
            await bot.set_my_commands(commands, BotCommandScopeDefault(), language_code=language)
        except AiogramError as error:
            # A Bot API server without the menu (a test server, a proxy) still serves chats.
            log.warning("could not set the command menu (%s): %s", locale, error)
            return


async def set_user_commands(
    bot: Bot, i18n: I18n, chat_id: int, access: Access, locale: str, unit_officer: bool = False
) -> None:
    """A user's own menu (Telegram allows it per chat), after approval, a role or language change."""
    with i18n.context(), i18n.use_locale(locale):
        commands = bot_commands(access, unit_officer)
    try:
        await bot.set_my_commands(commands, BotCommandScopeChat(chat_id=chat_id))
    except AiogramError as error:
        # A menu is a convenience: failing to set one must not fail the action that caused it.
        log.warning("could not set the command menu of chat %s: %s", chat_id, error)
