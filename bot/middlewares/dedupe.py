"""Drop an update whose update_id was already handled: Telegram may deliver an update twice."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import updates

log = logging.getLogger(__name__)
PRUNE_EVERY = 1000


class DropHandledUpdates(BaseMiddleware):
    """Runs on the update's session (inside SessionPerUpdate): the claim is its first commit."""

    def __init__(self) -> None:
        self._seen = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        session: AsyncSession = data["session"]
        claimed = await updates.claim(session, bot.id, event.update_id)
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            await updates.forget_old(session)
        await session.commit()
        if not claimed:
            log.info("update %s was delivered again; already handled", event.update_id)
            return None
        try:
            return await handler(event, data)
        except BaseException:
            # Forget the claim, so that a redelivery (webhook) is handled again.
            await session.rollback()
            await updates.release(session, bot.id, event.update_id)
            await session.commit()
            raise
