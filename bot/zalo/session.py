"""The Bot API, carried out on Zalo: an aiogram session whose requests become Zalo calls.

The handlers stay the same for both messengers: the Dispatcher hands a Zalo user's update
to them with a `Bot` whose session is this one, and whatever they ask of "Telegram" is done
as Zalo can. Zalo has text and photos only: a message with buttons becomes text with
numbered lines (a typed number presses the button: bot.zalo.updates), an edit becomes a
new message, a callback answer with text a message, "share my phone" a line asking to type
it, and a text over 2,000 characters several messages. A document or uploaded photo becomes
a link on the webhook server (bot.zalo.links) when it has a public address, else a line
naming it.
Errors come back as aiogram's exceptions, so the retries, pacing and verdicts written for
Telegram (bot.middlewares.paced_retries, bot.broadcast.outcome) apply: 429 → retry after,
a chat Zalo refuses → forbidden, a bad request → bad request, the rest → server error.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import AsyncGenerator
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InputFile
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.zalo.choices import ChoiceBook, Kind, from_markup, screen_numbers
from bot.zalo.client import TEXT_MAX, ZaloClient, ZaloError, ZaloNetworkError
from bot.zalo.links import FileLinks, Link
from bot.zalo.photos import PHOTO_LIMIT
from storage.repositories import accounts

SENDS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageCaption"}
# Zalo Bot Platform's error codes (https://bot.zapps.me/docs/error-code/, "Bảng mã lỗi",
# updated 6/8/2025): 400 bad request, 401 token expired or invalid, 403 "Internal server
# error" (not forbidden, despite HTTP), 404 not found (an invalid request), 408 timeout
# (getUpdates: nothing came), 429 quota exceeded. None says "this person can't be written
# to"; a send's method and path are right (getMe passed at start), so its 404 is the chat:
# someone who never wrote to this bot, or is gone. The Official Account API's negative codes
# (-2xx) belong to another API and never come from this one.
NOT_FOUND = 404
INTERNAL_ERROR = 403
UNAUTHORIZED = 401


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and not href.startswith("tg://"):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html_text: str) -> str:
    """Telegram HTML as the plain text Zalo shows (links keep their address)."""
    parser = _PlainText()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.parts)


def _file_name(file: object) -> str:
    if isinstance(file, InputFile):
        return file.filename or ""
    return file if isinstance(file, str) else ""


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Zalo takes 2,000 characters a message: cut at a line break, else at a space."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ")
    return [*parts, text] if text else parts


class ZaloSession(BaseSession):
    """`text_only` tells the front ends (bot.messengers) that screens are typed, not tapped."""

    text_only = True

    def __init__(
        self,
        client: ZaloClient,
        sessionmaker: async_sessionmaker[AsyncSession],
        choices: ChoiceBook,
        i18n: I18n,
    ) -> None:
        super().__init__()
        self.client = client
        self.choices = choices
        self._sessionmaker = sessionmaker
        self._i18n = i18n
        self._zalo_ids: dict[int, str] = {}
        # callback query id → the chat it came from (bot.zalo.updates notes them)
        self._callback_chats: dict[str, int] = {}
        self._message_ids = itertools.count(int(time.time() * 1000) % 10**9 * 100)
        # Set by the webhook server when it has a public address (bot.webhook): files are
        # then links; and the Telegram bot, when this process serves both, to fetch its files.
        self.links: FileLinks | None = None
        self.telegram: Bot | None = None

    async def close(self) -> None:
        await self.client.close()

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield await self.client.download(url, limit=PHOTO_LIMIT, timeout=timeout)

    async def zalo_id(self, chat_id: int) -> str | None:
        if chat_id not in self._zalo_ids:
            async with self._sessionmaker() as session:
                found = await accounts.zalo_id_of(session, chat_id)
            if found is None:
                return None
            self._zalo_ids[chat_id] = found
        return self._zalo_ids[chat_id]

    def _(self, msgid: str) -> str:
        try:
            return self._i18n.gettext(msgid)
        except LookupError:  # outside an update (the workers): the default language
            return self._i18n.gettext(msgid, locale=self._i18n.default_locale)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        params = {
            key: value
            for key, value in method.model_dump(exclude_none=True).items()
            if not isinstance(value, Default)  # aiogram's "the bot's default" sentinel
        }
        result: Any = True
        if name == "getMe":
            result = {"id": bot.id, "is_bot": True, "first_name": "KHCN Bot", "username": "zalo"}
        elif name in SENDS:
            result = await self._send(bot, method, name, params)
        elif name == "editMessageReplyMarkup":
            rows = from_markup(params.get("reply_markup"), int(params.get("message_id") or 0))
            if rows:  # new buttons under an old message: shown again as a new list
                await self._send(bot, method, name, {**params, "text": ""})
        elif name == "answerCallbackQuery" and params.get("text"):
            chat_id = self._callback_chats.pop(str(params["callback_query_id"]), None)
            if chat_id is not None:
                await self._deliver(method, chat_id, str(params["text"]))
        elif name == "getFile":
            file_id = str(params["file_id"])
            result = {"file_id": file_id, "file_unique_id": file_id[-32:], "file_path": file_id}
        elif name not in {
            "answerCallbackQuery",
            "deleteMessage",
            "setMyCommands",
            "deleteMyCommands",
            "sendChatAction",
            "deleteWebhook",
        }:
            raise TelegramBadRequest(method, f"Zalo has no {name}")
        answer = Response[method.__returning__].model_validate(  # type: ignore[name-defined]
            {"ok": True, "result": result}, context={"bot": bot}
        )
        return cast(TelegramType, answer.result)

    def note_callback(self, query_id: str, chat_id: int) -> None:
        self._callback_chats[query_id] = chat_id

    async def _link(self, bot: Bot, file: object, default_name: str) -> tuple[str, Link] | None:
        """The file kept behind a link, with its name; None without a public address (or a
        Telegram file this process cannot fetch)."""
        if self.links is None:
            return None
        if isinstance(file, InputFile):
            content = b"".join([chunk async for chunk in file.read(bot)])
            name = file.filename or default_name
        elif isinstance(file, str) and self.telegram is not None:
            # A Telegram file_id (what an officer sent there): its bytes from Telegram.
            try:
                found = await self.telegram.get_file(file)
                if found.file_path is None:
                    return None
                downloaded = await self.telegram.download_file(found.file_path)
            except TelegramAPIError:
                return None
            if downloaded is None:
                return None
            content = downloaded.read()
            name = PurePosixPath(found.file_path).name or default_name
        else:
            return None
        return name, self.links.put(content, name)

    async def _send(
        self, bot: Bot, method: TelegramMethod[Any], name: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        text = plain_text(str(params.get("text") or params.get("caption") or ""))
        photo_url = ""
        if name == "sendPhoto":
            photo = getattr(method, "photo", None)
            if isinstance(photo, str) and photo.startswith(("http://", "https://")):
                photo_url = photo
            else:
                owed = await self._link(bot, photo, "anh.jpg")
                if owed is not None:
                    photo_url = owed[1].url
                else:
                    line = self._("(a photo, which Zalo can't show here; see it on Telegram)")
                    text = "🖼 " + line + "\n" + text
        elif name == "sendDocument":
            document = getattr(method, "document", None)
            owed = await self._link(bot, document, "tep")
            if owed is not None:
                file_name, link = owed
                line = self._("{name} — download: {url} (until {date})").format(
                    name=file_name, url=link.url, date=link.expires.strftime("%d/%m/%Y")
                )
            else:
                line = self._(
                    "(a file, which Zalo can't carry: {name}; get it on Telegram, or ask the "
                    "department for it: python -m bot export)"
                ).format(name=_file_name(document) or "…")
            text = "📎 " + line + ("\n" + text if text else "")
        markup = params.get("reply_markup") or {}
        if markup.get("remove_keyboard"):
            # A dialog screen (handlers.dialogs sends its numbered text so): its numbers are
            # its own, and what comes later is numbered after them.
            await self.choices.screen(chat_id, screen_numbers(text))
        lines = []
        for number, choice in await self.choices.add(chat_id, from_markup(markup, message_id)):
            if choice.kind is Kind.CONTACT:
                lines.append(f"{number}. {choice.label} — " + self._("or type your phone number"))
            elif choice.kind is Kind.LINK:
                lines.append(f"{number}. {choice.label}: {choice.data}")
            else:
                lines.append(f"{number}. {choice.label}")
        if lines:
            text = (text + "\n\n" if text else "") + "\n".join(lines)
            hint = self._("Type a number to choose.")
            if hint not in text:  # a screen that says it already (bot.dialogs.plain)
                text += "\n" + hint
        await self._deliver(method, chat_id, text, photo_url)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": text or " ",
        }

    async def _deliver(
        self, method: TelegramMethod[Any], chat_id: int, text: str, photo_url: str = ""
    ) -> None:
        zalo_id = await self.zalo_id(chat_id)
        if zalo_id is None:
            raise TelegramForbiddenError(method, "Forbidden: this person has no Zalo account")
        try:
            if photo_url:
                await self.client.send_photo(zalo_id, photo_url, text[:TEXT_MAX])
                return
            for part in split_text(text or "…"):
                await self.client.send_message(zalo_id, part)
        except ZaloError as error:
            raise as_telegram_error(method, error) from None


def as_telegram_error(method: TelegramMethod[Any], error: ZaloError) -> Exception:
    """Zalo's refusal as the aiogram exception the bot's retry and verdict logic knows."""
    text = f"Zalo: {error.error_code} {error.description}"
    if isinstance(error, ZaloNetworkError):
        return TelegramNetworkError(method, text)
    code = error.error_code
    if code == 429:
        return TelegramRetryAfter(method, text, math.ceil(error.retry_after or 1))
    if code == NOT_FOUND and method.__api_method__ in SENDS:
        return TelegramForbiddenError(method, text)  # unreachable: never retried
    if code == INTERNAL_ERROR or code >= 500:
        return TelegramServerError(method, text)  # retried a few times, then failed
    if code == UNAUTHORIZED:
        return TelegramUnauthorizedError(method, text)  # the token: failed, not the person
    return TelegramBadRequest(method, text)
