"""Drop an update whose update_id was already handled: Telegram may deliver an update twice.

With several consumers (webhook processes) the claim is committed before the handler
runs, so that of two deliveries racing each other only one goes on. With one consumer
(long polling) no other process can race this one: the update_ids handled in this run
are remembered in memory, the claim is staged and committed with the update's own rows
(`storage.update_work`), and the database is asked only about an update_id that a
previous run may have handled lately — one not above the highest claimed in the last
`updates.KEEP_FOR` at start. Claims older than that don't count (Telegram may start
numbering again lower after a week without updates) and are pruned, apart from any
update's transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import updates
from storage.update_work import update_work

log = logging.getLogger(__name__)
PRUNE_EVERY = 1000
# Redeliveries come within a getUpdates batch or two of the original: 100 batches' worth.
REMEMBER = 10_000


class DropHandledUpdates(BaseMiddleware):
    """Runs on the update's session (inside SessionPerUpdate)."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, single_consumer: bool = False
    ) -> None:
        self._sessionmaker = sessionmaker
        self._single_consumer = single_consumer
        self._seen = 0
        self._recent: set[int] = set()
        self._order: deque[int] = deque()
        self._last_before_start: int | None = None
        self._started = False
        self._starting = asyncio.Lock()
        self._pruning: set[asyncio.Task[None]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        session: AsyncSession = data["session"]
        self._seen += 1
        prune = self._seen % PRUNE_EVERY == 1  # the first update of a run, then every 1000th
        if self._single_consumer:
            claimed = await self._claim_in_memory(session, bot.id, event.update_id)
        else:
            claimed = await updates.claim(session, bot.id, event.update_id)
            await session.commit()
        if not claimed:
            log.info("update %s was delivered again; already handled", event.update_id)
            return None
        try:
            result = await handler(event, data)
        except BaseException:
            # Forget the claim, so that a redelivery is handled again.
            if self._single_consumer:
                self._recent.discard(event.update_id)
            else:
                await session.rollback()
                await updates.release(session, bot.id, event.update_id)
                await session.commit()
            raise
        if prune:
            # Apart from the update's transaction, after it: a failure here (a lock held
            # elsewhere) is only logged, and no update waits for it.
            task = asyncio.create_task(
                self._forget_old(), name="forget-old-updates", context=contextvars.Context()
            )
            self._pruning.add(task)
            task.add_done_callback(self._pruning.discard)
        return result

    async def _forget_old(self) -> None:
        try:
            async with self._sessionmaker() as own:
                await updates.forget_old(own)
                await own.commit()
        except Exception as error:
            log.warning("could not prune the handled update ids: %s", error)

    async def _claim_in_memory(self, session: AsyncSession, bot_id: int, update_id: int) -> bool:
        if update_id in self._recent:
            return False
        last_before_start = await self._last_handled_before_start(bot_id)
        if (
            last_before_start is not None
            and update_id <= last_before_start
            and await updates.was_handled(session, bot_id, update_id)
        ):
            return False
        if update_id in self._recent:  # delivered again while the lines above waited
            return False
        self._remember(update_id)
        work = update_work.get()
        assert work is not None, "DropHandledUpdates runs inside SessionPerUpdate"
        work.rows.claim(bot_id, update_id)
        return True

    async def _last_handled_before_start(self, bot_id: int) -> int | None:
        # Read once, before any update of this run can have committed its claim: every
        # update waits here before staging one.
        if not self._started:
            async with self._starting:
                if not self._started:
                    async with self._sessionmaker() as session:
                        self._last_before_start = await updates.last_handled(session, bot_id)
                    self._started = True
        return self._last_before_start

    def _remember(self, update_id: int) -> None:
        self._recent.add(update_id)
        self._order.append(update_id)
        if len(self._order) > REMEMBER:
            self._recent.discard(self._order.popleft())
