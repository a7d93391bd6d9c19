"""Presses that compete for the same thing are handled one at a time, in the order pressed.

Fifty officers pressing Đăng ký on a 30-seat course at once arrive as consecutive
updates; polling starts a task per update in update order, but each task interleaves
with the others at its first database call, so without this the seats would go to
whoever's query came back first. This middleware runs before any of them: it takes a
FIFO lock for the contested key (the event) before its first `await`, so the tasks
queue on it in the order Telegram numbered the updates — the press order.

It must come before aiogram's FSM middleware, which reads the dialog state (a database
or Redis call) before anything else runs; `bot.app` registers it there.

The handler releases the lock (`press_turn.release()`) as soon as its decision is
committed, so replies and notifications are not sent while others wait; whatever
happens, the lock is released when the update is done. Across several bot processes
the database still makes each decision atomic, but press order is only kept within
one process (Telegram itself gives no order across webhook requests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

PressKey = Callable[[Update], Hashable | None]


class PressTurn:
    """The lock one update holds; released once, early by the handler or at the end."""

    def __init__(self, lock: asyncio.Lock) -> None:
        self._lock = lock
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()


class PressOrder(BaseMiddleware):
    def __init__(self, key: PressKey) -> None:
        self._key = key
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        key = self._key(event) if isinstance(event, Update) else None
        if key is None:
            return await handler(event, data)
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            # asyncio.Lock wakes its waiters first come, first served, and lets nobody
            # jump the queue; nothing above this line suspends.
            await lock.acquire()
            turn = PressTurn(lock)
            data["press_turn"] = turn
            try:
                return await handler(event, data)
            finally:
                turn.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
