"""Editing a message the bot sent earlier, where "nothing changed" is not an error."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup

_HARMLESS = ("message is not modified", "message to edit not found", "message can't be edited")


async def edit_markup(
    bot: Bot, chat_id: int, message_id: int | None, markup: InlineKeyboardMarkup | None
) -> None:
    if message_id is None:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if not any(reason in error.message for reason in _HARMLESS):
            raise


async def edit_text(
    bot: Bot,
    chat_id: int,
    message_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    if message_id is None:
        return
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if not any(reason in error.message for reason in _HARMLESS):
            raise
