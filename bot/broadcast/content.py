"""What a notice looks like in a chat, and the one function that sends it.

The preview staff see and the copies officers get go through `send_notice`, so the
preview is exactly what arrives. Text is HTML (the bot's parse mode), so the
formatting the staff member used survives as Telegram entities → HTML → entities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, Message

from storage.models import Notice

CAPTION_MAX = 1024  # Telegram's limit for the text under a photo or document sent by a bot


@dataclass(frozen=True)
class NoticeContent:
    text: str
    media_kind: str | None = None
    media_file_id: str | None = None
    buttons: dict[str, Any] | None = None

    @classmethod
    def of(cls, notice: Notice) -> NoticeContent:
        return cls(notice.text, notice.media_kind, notice.media_file_id, notice.buttons)

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup.model_validate(self.buttons) if self.buttons else None


async def send_notice(
    bot: Bot, chat_id: int, content: NoticeContent, request_timeout: int | None = None
) -> Message:
    """Send the notice to one chat; raises aiogram's errors as the Bot API answers."""
    if content.media_kind == "photo" and content.media_file_id:
        return await bot.send_photo(
            chat_id,
            content.media_file_id,
            caption=content.text or None,
            reply_markup=content.markup,
            request_timeout=request_timeout,
        )
    if content.media_kind == "document" and content.media_file_id:
        return await bot.send_document(
            chat_id,
            content.media_file_id,
            caption=content.text or None,
            reply_markup=content.markup,
            request_timeout=request_timeout,
        )
    return await bot.send_message(
        chat_id,
        content.text,
        reply_markup=content.markup,
        request_timeout=request_timeout,
    )
