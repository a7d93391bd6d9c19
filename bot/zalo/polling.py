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
from aiogram.fsm.storage.base import StorageKey
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.zalo.choices import TURN, ChoiceBook
from bot.zalo.client import ZaloClient, ZaloError, ZaloNetworkError
from bot.zalo.photos import PHOTO_LIMIT, PHOTO_TIMEOUT, PhotoStore
from bot.zalo.session import ZaloSession
from bot.zalo.updates import photo_url_of, sender_of, to_update
from storage.models import User, ZaloUpdate, utcnow
from storage.repositories import accounts

log = logging.getLogger(__name__)


class ZaloUpdates:
    """Takes, records and hands Zalo updates to the Dispatcher; one person's in order."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        photos: PhotoStore,
        i18n: I18n,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.photos = photos
        self.i18n = i18n
        self.photo_limit = PHOTO_LIMIT
        self.photo_timeout = PHOTO_TIMEOUT
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
                    person = await session.get(User, user_id)
                    locale = (person.locale if person else None) or self.i18n.default_locale
                    await session.commit()
                photo_size = None
                if photo := photo_url_of(payload):
                    try:
                        photo_size = await self.photos.keep(
                            self.client, photo, limit=self.photo_limit, timeout=self.photo_timeout
                        )
                    except ZaloError as error:
                        # Nothing reaches the dialog: its step stays as it was.
                        log.info("Zalo photo of update %s not taken: %s", row_id, error)
                        await self._photo_refused(user_id, locale, error)
                        return
                shown = await self.choices.load(user_id)
                here = StorageKey(bot_id=self.bot.id, chat_id=user_id, user_id=user_id)
                in_dialog = await self.dispatcher.storage.get_state(here) is not None
                update_, query_id = to_update(
                    payload,
                    -row_id,
                    user_id,
                    shown,
                    photo_size=photo_size,
                    in_dialog=in_dialog,
                )
                if query_id is not None:
                    self.session.note_callback(query_id, user_id)
                turn = TURN.set(row_id)  # what is sent in answer is numbered from 1 again
                try:
                    await self.dispatcher.feed_update(self.bot, update_)
                finally:
                    TURN.reset(turn)
        except Exception:
            log.exception("Zalo update %s failed", row_id)
        finally:
            await self._finish(row_id)

    async def _finish(self, row_id: int) -> None:
        async with self.sessionmaker() as session:
            await session.execute(
                update(ZaloUpdate).where(ZaloUpdate.id == row_id).values(finished_at=utcnow())
            )
            await session.commit()

    async def _photo_refused(self, user_id: int, locale: str, error: ZaloError) -> None:
        with self.i18n.context(), self.i18n.use_locale(locale):
            if error.error_code == 413:
                text = _(
                    "This photo is larger than {max} MB, too large to keep. "
                    "Please send a smaller one (a screenshot of it will do)."
                ).format(max=self.photo_limit // (1024 * 1024) or 1)
            elif isinstance(error, ZaloNetworkError):
                text = _("The photo did not arrive from Zalo in time. Please send it again.")
            else:
                text = _("The photo could not be taken from Zalo. Please send it again.")
        await self.bot.send_message(user_id, text)

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
