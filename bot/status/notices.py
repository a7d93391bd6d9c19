"""The one place status reminders meet the broadcast engine (issue 5).

Reminders are notices like any other: delivered by the broadcast worker within
Telegram's limits, one row per recipient, never twice. This adapter calls the
engine's `enqueue_notice(session, *, created_by, text, recipients, send_at=None)`
in the caller's transaction; until the engine is installed it raises
`NoticeServiceMissing`, and callers say so instead of pretending to have sent.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

# Where issue 5 puts the engine; looked up at call time, so this module works before it lands.
ENGINE_MODULES = ("bot.broadcast", "bot.broadcasts")

Enqueue = Callable[..., Awaitable[Any]]


class NoticeServiceMissing(RuntimeError):
    """The broadcast engine is not installed in this version."""


def _enqueue() -> Enqueue:
    for name in ENGINE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and not name.startswith(error.name):
                raise  # the engine is there but something it needs is not: a real error
            continue
        function = getattr(module, "enqueue_notice", None)
        if function is not None:
            return cast(Enqueue, function)
    raise NoticeServiceMissing("the broadcast engine (enqueue_notice) is not installed")


def available() -> bool:
    try:
        _enqueue()
    except NoticeServiceMissing:
        return False
    return True


async def queue_notice(
    session: AsyncSession, *, created_by: int, text: str, recipients: Sequence[int]
) -> None:
    """Queue `text` for `recipients` through the broadcast engine, in `session`'s transaction."""
    enqueue = _enqueue()
    await enqueue(session, created_by=created_by, text=text, recipients=list(recipients))
