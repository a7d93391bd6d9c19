"""Every Bot API call the handlers make is paced with the broadcasts and retried when Telegram
is briefly unwell.

- Messages (sends and edits) take a slot in the one `SendWindow` the broadcast worker uses,
  as urgent: replies to people go before the notices' copies, so a broadcast at
  `BROADCAST_RATE` slows down for the dialogs instead of pushing them into Telegram's 429s.
- 429: wait `retry_after` (and hold the broadcasts for as long), then again, a few times
  while the wait is short; a longer one is raised (the update apologises).
- 5xx and network errors (timeouts included): again after 0.5 s, 1 s, 2 s..., a few times.
- Anything else (400, 403) is the answer and is raised at once.

The worker's own sends (`QUEUED_SEND`) are left alone: it paces them and retries them
through their rows. `getUpdates` too: aiogram's polling has its own backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.broadcast.outcome import Backoff
from bot.broadcast.pacing import QUEUED_SEND, SendWindow

log = logging.getLogger(__name__)

# What Telegram counts against its ~30 messages a second.
MESSAGES = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendLocation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)


class PacedRetries(BaseRequestMiddleware):
    def __init__(
        self,
        window: SendWindow,
        pause: Callable[[float], None],
        *,
        tries: int = 4,
        longest_wait: float = 30.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.window = window
        self.pause = pause  # holds the broadcasts back after a 429
        self.tries = tries
        self.longest_wait = longest_wait
        self.backoff = backoff or Backoff(base=0.5, cap=4.0, max_failures=tries)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if QUEUED_SEND.get() or isinstance(method, GetUpdates):
            return await make_request(bot, method)
        counted = method.__api_method__ in MESSAGES
        tries = 0
        while True:
            tries += 1
            if counted:
                await self.window.acquire(urgent=True)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                wait = float(max(error.retry_after, 1))
                if tries >= self.tries or wait > self.longest_wait:
                    raise
                self.pause(wait)
                log.info("%s: 429, again in %.0f s", method.__api_method__, wait)
            except (TelegramServerError, TelegramNetworkError) as error:
                if isinstance(error, TelegramEntityTooLarge) or tries >= self.tries:
                    raise
                wait = self.backoff.wait(tries)
                log.info("%s: %s, again in %.1f s", method.__api_method__, error.message, wait)
            await asyncio.sleep(wait)
