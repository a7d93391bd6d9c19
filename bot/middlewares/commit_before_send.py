"""Before the bot says anything, what the update stored so far is committed.

A Bot API call takes tens of milliseconds; an update's transaction kept open across
it would hold a pooled connection (and on SQLite the one write lock) all that time.
And what the user is told must already be true in the database.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from storage.database import commit_update_session


class CommitBeforeSending(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await commit_update_session()
        return await make_request(bot, method)
