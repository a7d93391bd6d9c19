"""The Zalo bot of a process: an aiogram Bot whose session speaks Zalo (bot.zalo.session)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.pacing import Pacer, SendWindow
from bot.middlewares.commit_before_send import CommitBeforeSending
from bot.middlewares.paced_retries import PacedRetries
from bot.settings import Settings
from bot.zalo.choices import ChoiceBook
from bot.zalo.client import ZaloClient
from bot.zalo.session import ZaloSession

# The aiogram Bot of Zalo has this id (dialog state and handled updates are keyed by it): no
# Telegram bot has it, and it stays the same when the department changes its Zalo bot.
ZALO_BOT_ID = 1


def create_zalo_bot(
    settings: Settings,
    token: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    window: SendWindow,
    pacer: Pacer,
    storage: BaseStorage,
) -> Bot:
    client = ZaloClient(token, settings.zalo_api_base)
    session = ZaloSession(client, sessionmaker, ChoiceBook(storage), i18n)
    # The same middlewares as Telegram's session: commit before telling, one pace, retries.
    session.middleware(CommitBeforeSending())
    session.middleware(PacedRetries(window, pacer.pause))
    # The real token stays in the client; aiogram only needs one of its own shape.
    return Bot(
        f"{ZALO_BOT_ID}:zalo",
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
