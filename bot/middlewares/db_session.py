"""One database session per update: committed when the handler succeeds, rolled back when it fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import update_session


class SessionPerUpdate(BaseMiddleware):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._sessionmaker() as session:
            data["session"] = session
            token = update_session.set(session)
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            finally:
                update_session.reset(token)
            await session.commit()
            return result
