"""The updates being handled right now, so that shutdown can wait for them.

aiogram starts a task per polled update and keeps no public handle on those tasks. This
middleware, registered first, adds the task handling each update to a set for as long
as the update runs (its locks, dialog state and session included), so `bot.app` can wait
for them before the storage and the database go away. It never awaits before passing
the update on, so the press order kept by `PressOrder` is unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject


class TrackUpdatesUnderWay(BaseMiddleware):
    def __init__(self, under_way: set[asyncio.Task[Any]]) -> None:
        self.under_way = under_way

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - an update is always handled in a task
            return await handler(event, data)
        self.under_way.add(task)
        try:
            return await handler(event, data)
        finally:
            self.under_way.discard(task)
