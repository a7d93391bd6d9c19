"""Telegram's limits as two small clocks: the pace of all sends, and the spacing per chat.

Telegram answers 429 when a bot sends more than about 30 messages a second in all, or
more than one a second to one chat. `Pacer` spaces every send of the process evenly at
`rate` a second (a bucket of one token: no bursts for the server to count), and stops
them all for `retry_after` when Telegram says so. `ChatSpacing` remembers when each
chat last got something. Both take their time functions from the caller, so tests can
drive them without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
# Set in the worker's sending tasks: their calls are paced and retried by the worker (rows
# back to the queue), so the Bot API session's middleware leaves them alone.
QUEUED_SEND: ContextVar[bool] = ContextVar("queued_send", default=False)


class Pacer:
    """Hands out send slots `1 / rate` seconds apart; `pause` pushes them all back."""

    def __init__(
        self, rate: float, *, monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float:
        return 1.0 / self.interval

    def set_rate(self, rate: float) -> None:
        """A new pace from the next slot on (several processes share the limit)."""
        self.interval = 1.0 / rate

    async def acquire(self) -> None:
        """Wait for the next slot. Callers are served in order."""
        async with self._lock:
            now = self._monotonic()
            slot = max(self._next, self._paused_until)
            # Keep to the grid of slots while a wake-up is only a little late, so the
            # sleeps' small overshoots don't add up to a lower rate; after a longer gap
            # (idle), start a new grid from now rather than send a burst to catch up.
            if now - slot > self.interval / 2:
                slot = now
            self._next = slot + self.interval
            if slot > now:
                await self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Telegram said 429 retry_after: nothing goes out for that long."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)


class ChatSpacing:
    """When each chat may get its next message."""

    def __init__(self, interval: float = CHAT_INTERVAL, *, monotonic: Monotonic = time.monotonic):
        self.interval = interval
        self._monotonic = monotonic
        self._last: dict[int, float] = {}

    def wait_for(self, chat_id: int) -> float:
        """Seconds until `chat_id` may get a message (0: now)."""
        last = self._last.get(chat_id)
        if last is None:
            return 0.0
        return max(0.0, last + self.interval - self._monotonic())

    def mark(self, chat_id: int) -> None:
        now = self._monotonic()
        self._last[chat_id] = now
        if len(self._last) > 10_000:  # forget chats whose second is long over
            self._last = {c: t for c, t in self._last.items() if t + self.interval > now}


class SendWindow:
    """At most `limit` requests (Telegram's 30) in any second, checked right before each
    request goes out.

    The pacer's even slots are decided before the delivery is committed as `sending`; a
    slow commit can bunch requests together. Telegram counts what arrives, so this last
    check keeps every one-second window (plus a margin for the network's jitter) within
    Telegram's limit whatever happened in between. Below the limit it never waits.

    Everything the bot sends passes here: replies to people (`urgent`) and the worker's
    copies of notices. While an urgent caller waits, the others do, so a broadcast at full
    speed slows down for the dialogs instead of starving them.
    """

    def __init__(
        self,
        limit: int,
        *,
        margin: float = 0.04,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.margin = margin
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._urgent = 0
        self._calm = asyncio.Event()
        self._calm.set()
        self.limit = max(1, limit)

    def set_limit(self, limit: int) -> None:
        self.limit = max(1, limit)

    async def acquire(self, *, urgent: bool = False) -> None:
        if urgent:
            self._urgent += 1
            self._calm.clear()
            try:
                await self._take(urgent=True)
            finally:
                self._urgent -= 1
                if not self._urgent:
                    self._calm.set()
            return
        async with self._lock:  # the others in turn, and only while nobody urgent waits
            await self._take(urgent=False)

    async def _take(self, *, urgent: bool) -> None:
        while True:
            while not urgent and self._urgent:
                await self._calm.wait()
            now = self._monotonic()
            while self._sent and self._sent[0] + 1.0 + self.margin <= now:
                self._sent.popleft()
            if len(self._sent) < self.limit:
                self._sent.append(now)
                return
            await self._sleep(self._sent[0] + 1.0 + self.margin - now)
