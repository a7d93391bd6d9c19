"""What an answer of the Bot API means for one delivery: done, try again (when), or give up.

- 429: Telegram's own word on when to try again (`retry_after`); not a failure.
- 403 (blocked the bot, deactivated): unreachable; trying again won't help.
- 400 (chat not found...), 401, 404, too large: failed, recorded, never retried.
- 5xx and network errors (timeouts included): tried again with a growing wait, up
  to `max_failures`, then failed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)


class Verdict(Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # Telegram's flood control: wait as told, everyone
    RETRY = "retry"  # a transient error: wait a little longer each time
    UNREACHABLE = "unreachable"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    wait: float = 0.0  # seconds, for RETRY_AFTER and RETRY
    error: str | None = None


@dataclass(frozen=True)
class Backoff:
    """Waits between tries after transient errors: base, 2×base, 4×base... up to `cap`."""

    base: float = 1.0
    cap: float = 60.0
    max_failures: int = 5

    def wait(self, failures: int) -> float:
        """The wait after the `failures`-th transient error (1 for the first), with jitter so
        many retries don't come back at one instant."""
        delay = min(self.cap, self.base * float(2 ** max(0, failures - 1)))
        return delay * random.uniform(0.8, 1.2)


def _describe(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return str(message).split("\n", 1)[0][:255]


def judge(error: BaseException, failures: int, backoff: Backoff) -> Outcome:
    """The outcome of a send that raised `error`; `failures` transient errors came before it."""
    if isinstance(error, TelegramRetryAfter):
        return Outcome(Verdict.RETRY_AFTER, float(max(error.retry_after, 1)), _describe(error))
    if isinstance(error, TelegramForbiddenError):
        return Outcome(Verdict.UNREACHABLE, error=_describe(error))
    transient = isinstance(error, TelegramServerError | ClientDecodeError) or (
        isinstance(error, TelegramNetworkError) and not isinstance(error, TelegramEntityTooLarge)
    )
    if not transient and isinstance(error, TelegramAPIError):
        return Outcome(Verdict.FAILED, error=_describe(error))
    # A transient error, or one nobody foresaw (treated alike: retried a few times).
    if failures + 1 >= backoff.max_failures:
        return Outcome(Verdict.FAILED, error=_describe(error))
    return Outcome(Verdict.RETRY, backoff.wait(failures + 1), _describe(error))
