"""Event isolation for several processes that keeps one user's updates in arrival order.

aiogram's Redis isolation keeps two processes from handling one user's updates at once,
but its lock is taken by polling, not in turn: within a process the second of two quick
updates (a name typed right after /dangky) could win the lock and be handled first. A
local first-come lock per key, taken before the Redis one, restores the order.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation


class OrderedIsolation(BaseEventIsolation):
    def __init__(self, shared: BaseEventIsolation) -> None:
        self._local = SimpleEventIsolation()
        self._shared = shared

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        async with self._local.lock(key), self._shared.lock(key):
            yield

    async def close(self) -> None:
        await self._local.close()
        await self._shared.close()
