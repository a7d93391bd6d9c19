"""Nothing unhandled reaches the user: log the failure, say so politely, keep the dialog.

The apology says only what is true: the failed update's own changes were rolled back
(its dialog stays at the last step that was saved), so its last message was not kept —
unless part of it was committed before the failure, which it then says. A database
locked by another process is named as such: waiting a little is what helps.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import Chat, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


class ApologiseOnError(BaseMiddleware):
    """Sits outside the session, so the update's transaction is already rolled back here."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        except Exception as error:
            update_id = event.update_id if isinstance(event, Update) else None
            log.exception("update %s failed", update_id)
            await self._apologise(event, data, error)
            return None

    def _text(self, data: dict[str, Any], error: Exception) -> str:
        if data.get("update_saved"):
            return _(
                "Sorry, something went wrong on our side while handling your last message; "
                "part of it was saved. Please check before you try again."
            )
        if _database_busy(error):
            return _(
                "Sorry, the database is busy right now: your last message was not saved. "
                "Please send it again in a minute."
            )
        return _(
            "Sorry, something went wrong on our side: your last message was not saved. "
            "Please try again in a moment."
        )

    async def _apologise(
        self, event: TelegramObject, data: dict[str, Any], error: Exception
    ) -> None:
        bot: Bot = data["bot"]
        chat: Chat | None = data.get("event_chat")
        locale = data.get("user_locale") or self._i18n.default_locale
        try:
            with self._i18n.context(), self._i18n.use_locale(locale):
                text = self._text(data, error)
            if isinstance(event, Update) and event.callback_query is not None:
                await bot.answer_callback_query(event.callback_query.id, text, show_alert=True)
            elif chat is not None:
                await bot.send_message(chat.id, text)
        except Exception:
            log.exception("could not tell the user about the failure")


def _database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (another process holds the write lock too long)."""
    seen: BaseException | None = error
    for _depth in range(10):  # the chain of causes, not followed forever
        if seen is None:
            break
        if isinstance(seen, sqlite3.OperationalError) and "locked" in str(seen):
            return True
        if isinstance(seen, DBAPIError) and "database is locked" in str(seen.orig):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
