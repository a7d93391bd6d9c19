"""Telegram accounts linked with /lienket: whose an update from one is, and where to write back.

Nearly every Telegram person is their Telegram id (users.id) and has no `accounts` row, so
nothing here touches them beyond one dictionary look-up (one indexed query per update when
several processes share the updates). A person who came first on Zalo (users.id below
ZALO_FIRST_ID) and linked Telegram is different: their Telegram updates are rewritten to
carry the person's id, as Zalo's are (bot.zalo.updates), so every handler, the dialog state
and the user cache see one person whichever messenger they write on; and what the bot sends
to that person's id on Telegram goes to their Telegram chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.dispatcher.middlewares.user_context import (
    EVENT_CHAT_KEY,
    EVENT_CONTEXT_KEY,
    EVENT_FROM_USER_KEY,
    UserContextMiddleware,
)
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import BotCommandScopeChat, TelegramObject, Update
from aiogram.types import User as TelegramUser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messengers import text_only
from storage.models import Account
from storage.repositories import accounts
from storage.repositories.accounts import TELEGRAM, ZALO_FIRST_ID


class TelegramAccounts:
    """Telegram id → person, for the linked accounts only. `cached`: this process is the only
    consumer of updates (long polling), so the links can be held in memory and learnt as they
    are made; otherwise each update asks the database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, cached: bool) -> None:
        self._sessionmaker = sessionmaker
        self._cached = cached
        self._people: dict[int, int] | None = None
        # Person (Zalo-first) → Telegram id: a link is never moved, so this may stay.
        self._chats: dict[int, int] = {}

    async def load(self) -> None:
        """At start (a startup hook): from then on a look-up awaits nothing, so an update
        reaches the dialog-state lock, which keeps one person's updates in order, before the
        next update of theirs does."""
        if not self._cached:
            return
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(Account.external_id, Account.user_id).where(Account.messenger == TELEGRAM)
            )
            self._people = {int(external): person for external, person in rows}

    async def person_of(self, telegram_id: int) -> int | None:
        if self._people is not None:
            return self._people.get(telegram_id)
        # Several processes (webhook): asked each time, a primary-key look-up.
        async with self._sessionmaker() as session:
            return await accounts.person_of(session, TELEGRAM, str(telegram_id))

    def learn(self, telegram_id: int, person: int) -> None:
        """A link just committed (bot.handlers linking)."""
        if self._people is not None:
            self._people[telegram_id] = person

    async def chat_of(self, person: int) -> int | None:
        """The Telegram chat of a person who came first on Zalo, if they linked one."""
        if person not in self._chats:
            async with self._sessionmaker() as session:
                external = await session.scalar(
                    select(Account.external_id).where(
                        Account.messenger == TELEGRAM, Account.user_id == person
                    )
                )
            if external is None:
                return None
            self._chats[person] = int(external)
        return self._chats[person]


def _as_person(value: Any, telegram_id: int, person: int) -> Any:
    if isinstance(value, dict):
        return {
            key: person
            if key in ("id", "user_id") and item == telegram_id
            else _as_person(item, telegram_id, person)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_as_person(item, telegram_id, person) for item in value]
    return value


def as_person(update: Update, telegram_id: int, person: int, bot: Bot) -> Update:
    """The update with the person's id wherever the Telegram account's id was (the sender,
    their private chat, a contact they shared of themselves)."""
    data = _as_person(update.model_dump(exclude_none=True), telegram_id, person)
    return Update.model_validate(data, context={"bot": bot})


LINKED_PERSON = "linked_person"


class LinkedSender(BaseMiddleware):
    """Outer middleware, before the dialog state is read: an update from a linked Telegram
    account becomes the person's."""

    def __init__(self, linked: TelegramAccounts) -> None:
        self._linked = linked

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get(EVENT_FROM_USER_KEY)
        bot: Bot = data["bot"]
        if sender is None or not isinstance(event, Update) or text_only(bot):
            return await handler(event, data)
        person = await self._linked.person_of(sender.id)
        if person is None:
            return await handler(event, data)
        data[LINKED_PERSON] = person
        if person != sender.id:
            event = as_person(event, sender.id, person, bot)
            context = UserContextMiddleware.resolve_event_context(event)
            data[EVENT_CONTEXT_KEY] = context
            if context.user is not None:
                data[EVENT_FROM_USER_KEY] = context.user
            if context.chat is not None:
                data[EVENT_CHAT_KEY] = context.chat
        return await handler(event, data)


class NoteTelegramUse(BaseMiddleware):
    """Outer middleware, inside the update's session: a person with two messengers wrote on
    Telegram, so what the bot owes them goes there (bot.messengers)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        person = data.get(LINKED_PERSON)
        if person is not None:
            await accounts.note_used(data["session"], person, TELEGRAM)
        return await handler(event, data)


class ToTelegramChat(BaseRequestMiddleware):
    """Session middleware of the Telegram bot: a person's id that is not a Telegram id (they
    came first on Zalo) is sent to their linked Telegram chat, or refused as unreachable."""

    def __init__(self, linked: TelegramAccounts) -> None:
        self._linked = linked

    async def _chat(self, method: TelegramMethod[Any], person: int) -> int:
        chat = await self._linked.chat_of(person)
        if chat is None:
            raise TelegramForbiddenError(method, "Forbidden: this person has no Telegram account")
        return chat

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        changes: dict[str, Any] = {}
        for field in ("chat_id", "from_chat_id"):
            value = getattr(method, field, None)
            if isinstance(value, int) and value < ZALO_FIRST_ID:
                changes[field] = await self._chat(method, value)
        scope = getattr(method, "scope", None)
        if isinstance(scope, BotCommandScopeChat) and isinstance(scope.chat_id, int):
            if scope.chat_id < ZALO_FIRST_ID:
                changes["scope"] = BotCommandScopeChat(
                    chat_id=await self._chat(method, scope.chat_id)
                )
        if changes:
            method = method.model_copy(update=changes)
        return await make_request(bot, method)
