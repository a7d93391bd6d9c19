"""Which messenger a person is reached on, and with which Bot and pace.

Replies go back on the Bot the update came with; what the bot owes someone later (the
outbox, notices, reminders) goes where they are: their only messenger, or the one they
used last (storage.repositories.accounts.messenger_of). Each messenger has its own pace.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.pacing import Pacer, SendWindow
from storage.repositories import accounts


def text_only(bot: Bot | None) -> bool:
    """The bot's messenger has no buttons or edits (Zalo): screens are numbered text."""
    return bot is not None and bool(getattr(bot.session, "text_only", False))


def messenger_name(bot: Bot | None) -> str:
    """The messenger an update came from, as `accounts.messenger` and attachments spell it."""
    return accounts.ZALO if text_only(bot) else accounts.TELEGRAM


@dataclass
class Route:
    bot: Bot
    window: SendWindow
    # The messenger's own pace, paused by its own 429s (None: the worker's, Telegram's).
    pacer: Pacer | None = None


@dataclass
class Messengers:
    sessionmaker: async_sessionmaker[AsyncSession]
    telegram: Route | None
    zalo: Route | None

    async def route(self, chat_id: int) -> Route:
        if self.zalo is None:
            assert self.telegram is not None
            return self.telegram
        if self.telegram is None:
            return self.zalo
        async with self.sessionmaker() as session:
            messenger = await accounts.messenger_of(session, chat_id)
        return self.zalo if messenger == accounts.ZALO else self.telegram
