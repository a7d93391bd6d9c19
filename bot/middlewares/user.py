"""Load the user behind the update: their row, access level and chosen language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import access_of, is_unit_officer
from storage.models import Role
from storage.repositories import users
from storage.user_cache import UserCache


class LoadUser(BaseMiddleware):
    def __init__(self, admin_ids: frozenset[int], cache: UserCache | None = None) -> None:
        self._admin_ids = admin_ids
        self._cache = cache

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session: AsyncSession = data["session"]
        sender: TelegramUser | None = data.get("event_from_user")
        user = None
        if sender is not None:
            if self._cache is not None:
                user = await self._cache.get(session, sender.id)
            else:
                user = await users.get_user(session, sender.id)
            if sender.id in self._admin_ids and (user is None or user.role is not Role.ADMIN):
                user = await users.ensure_admin(session, sender.id, sender.full_name)
                await session.commit()
        data["user"] = user
        # Kept apart from the row: after a rollback the row can't be read any more.
        data["user_locale"] = user.locale if user is not None else None
        data["access"] = access_of(user, self._admin_ids, sender.id if sender else None)
        data["unit_officer"] = is_unit_officer(user, data["access"])
        return await handler(event, data)
