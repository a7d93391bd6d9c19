"""One database session per update: committed when the handler succeeds, rolled back when it fails.

The session comes with the update's work (`storage.update_work`): the claim and dialog
state staged during the update are committed with it, or dropped with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.group_commit import GroupCommit
from storage.update_work import UpdateWork, update_work


class SessionPerUpdate(BaseMiddleware):
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], writer: GroupCommit | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._writer = writer

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session = self._sessionmaker()
        work = UpdateWork(session, self._writer)
        data["session"] = session
        token = update_work.set(work)
        try:
            result = await handler(event, data)
            await work.finish()
        except BaseException:
            await work.discard()
            raise
        finally:
            # For the apology (outside this middleware): whether anything was stored.
            data["update_saved"] = work.saved
            update_work.reset(token)
            await work.close()
        return result
