"""Zalo's updates, taken by long polling (or posted to the webhook), recorded, then handled.

getUpdates has no offset: an update it returned is Zalo's no more, so each one is written
to `zalo_updates` and committed before anything else happens to it, and marked finished
after its handler ran. At start the unfinished ones (the process died while handling them)
are handled first; the handled-updates claim (bot.middlewares.dedupe) drops any whose
handler had already committed. The aiogram update_id of a Zalo update is minus its row id,
so it never meets a Telegram update_id in the dedupe's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.zalo.choices import ChoiceBook
from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.session import ZaloSession
from bot.zalo.updates import sender_of, to_update
from storage.models import ZaloUpdate, utcnow
from storage.repositories import accounts

log = logging.getLogger(__name__)


class ZaloUpdates:
    """Takes, records and hands Zalo updates to the Dispatcher; one person's in order."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.sessionmaker = sessionmaker
        session = bot.session
        assert isinstance(session, ZaloSession)
        self.session: ZaloSession = session
        self.client: ZaloClient = session.client
        self.choices: ChoiceBook = session.choices
        self._last: dict[str, asyncio.Task[None]] = {}  # a person's latest update under way
        self._stopping = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None
        self.poll_timeout = 30

    async def start_polling(self) -> None:
        """A startup hook: poll Zalo beside whatever else this process serves."""
        self._stopping.clear()
        self._polling = asyncio.create_task(self.poll(), name="zalo-polling")

    async def record(self, payload: dict[str, Any]) -> int:
        async with self.sessionmaker() as session:
            row = ZaloUpdate(payload=json.dumps(payload, ensure_ascii=False))
            session.add(row)
            await session.commit()
            return row.id

    async def unfinished(self) -> list[tuple[int, dict[str, Any]]]:
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(ZaloUpdate.id, ZaloUpdate.payload)
                .where(ZaloUpdate.finished_at.is_(None))
                .order_by(ZaloUpdate.id)
            )
            return [(row_id, json.loads(payload)) for row_id, payload in rows]

    def take(self, row_id: int, payload: dict[str, Any]) -> asyncio.Task[None]:
        """Handle a recorded update, after the same person's previous one."""
        zalo_id, _ = sender_of(payload)
        before = self._last.get(zalo_id)
        task = asyncio.create_task(self._handle(row_id, payload, before))
        self._last[zalo_id] = task
        task.add_done_callback(
            lambda done: self._last.pop(zalo_id, None) if self._last.get(zalo_id) is done else None
        )
        return task

    async def _handle(
        self, row_id: int, payload: dict[str, Any], before: asyncio.Task[None] | None
    ) -> None:
        if before is not None:
            await asyncio.wait([before])
        try:
            zalo_id, name = sender_of(payload)
            if zalo_id:
                async with self.sessionmaker() as session:
                    user_id = await accounts.zalo_person(session, zalo_id, name or None)
                    await accounts.note_used(session, user_id, accounts.ZALO)
                    await session.commit()
                update_, query_id = to_update(payload, -row_id, user_id, self.choices)
                if query_id is not None:
                    self.session.note_callback(query_id, user_id)
                await self.dispatcher.feed_update(self.bot, update_)
        except Exception:
            log.exception("Zalo update %s failed", row_id)
        async with self.sessionmaker() as session:
            await session.execute(
                update(ZaloUpdate).where(ZaloUpdate.id == row_id).values(finished_at=utcnow())
            )
            await session.commit()

    async def poll(self) -> None:
        """Long polling until `stop`: what was left unfinished first, then what comes."""
        for row_id, left in await self.unfinished():
            self.take(row_id, left)
        failures = 0
        while not self._stopping.is_set():
            try:
                payload = await self.client.get_update(self.poll_timeout)
            except ZaloError as error:
                failures += 1
                wait = error.retry_after or min(30.0, 0.5 * 2**failures)
                log.warning("Zalo getUpdates: %s; again in %.1f s", error, wait)
                await self._sleep(wait)
                continue
            failures = 0
            if payload is not None:
                self.take(await self.record(payload), payload)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def stop(self) -> None:
        """Take no more updates; let those under way finish (a shutdown hook)."""
        self._stopping.set()
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        under_way = list(self._last.values())
        if under_way:
            await asyncio.wait(under_way, timeout=30)
