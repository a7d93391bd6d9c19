"""Nothing unhandled reaches the user: log the failure, say so politely, keep the dialog."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import Chat, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

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
        except Exception:
            update_id = event.update_id if isinstance(event, Update) else None
            log.exception("update %s failed", update_id)
            await self._apologise(event, data)
            return None

    async def _apologise(self, event: TelegramObject, data: dict[str, Any]) -> None:
        bot: Bot = data["bot"]
        chat: Chat | None = data.get("event_chat")
        locale = data.get("user_locale") or self._i18n.default_locale
        try:
            with self._i18n.context(), self._i18n.use_locale(locale):
                text = _(
                    "Sorry, something went wrong on our side. What you entered so far is kept; "
                    "please try again in a moment."
                )
            if isinstance(event, Update) and event.callback_query is not None:
                await bot.answer_callback_query(event.callback_query.id, text, show_alert=True)
            elif chat is not None:
                await bot.send_message(chat.id, text)
        except Exception:
            log.exception("could not tell the user about the failure")
