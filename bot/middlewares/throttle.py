"""Slow down a user who floods: a token bucket per user, a single polite warning."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import gettext as _


class Throttle(BaseMiddleware):
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[int, tuple[float, float, bool]] = {}

    def _allow(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn now)."""
        now = self._clock()
        tokens, last, warned = self._buckets.get(user_id, (self._burst, now, False))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens >= 1:
            self._buckets[user_id] = (tokens - 1, now, False)
            return True, False
        self._buckets[user_id] = (tokens, now, True)
        if len(self._buckets) > 50_000:
            self._buckets.clear()
        return False, not warned

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None:
            return await handler(event, data)
        allowed, warn = self._allow(sender.id)
        if allowed:
            return await handler(event, data)
        text = _("You are sending too fast. Please wait a moment, then try again.")
        message = getattr(event, "message", None) or getattr(event, "callback_query", None)
        if warn and isinstance(message, Message):
            await message.answer(text)
        elif isinstance(message, CallbackQuery):
            await message.answer(text)
        return None
