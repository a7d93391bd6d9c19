"""Before the bot says anything, what the update stored so far is committed.

What the user is told must already be true in the database. And a Bot API call takes
tens of milliseconds; an update's transaction kept open across it would hold a pooled
connection (and on SQLite the one write lock) all that time. The update's staged claim
and dialog state are committed here too (see `storage.update_work`).
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from storage.update_work import commit_update_work


class CommitBeforeSending(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await commit_update_work()
        return await make_request(bot, method)
