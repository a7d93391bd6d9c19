"""The one place events meet the broadcast engine (issue 5).

Announcements, change and cancellation notices and reminders are notices like any
other: stored with one delivery row per recipient in the caller's transaction, then
delivered by the broadcast worker within Telegram's limits, never twice, after a
restart too. What one person must hear at once (a confirmation, moving up from the
waiting list) is sent directly by the handler after its commit instead.

Notices go out in the department's language: a notice has one text for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.broadcasts import enqueue_notice

ORIGIN = "event"


class Waker(Protocol):
    def wake(self) -> None: ...


def keyboard(*rows: Sequence[tuple[str, CallbackData]]) -> dict[str, Any]:
    """Buttons as the engine stores them (the Bot API's inline keyboard)."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row]
            for row in rows
        ]
    )
    return markup.model_dump(mode="json", exclude_none=True)


async def queue(
    session: AsyncSession,
    *,
    created_by: int,
    text: str,
    recipients: Sequence[int],
    event_id: int,
    buttons: dict[str, Any] | None = None,
    key: str | None = None,
    report_chat_id: int | None = None,
) -> int:
    """Queue `text` for `recipients` in `session`'s transaction; how many will get it.

    With `key`, queueing the same notice again (a retried reminder) stores nothing new.
    """
    people = list(dict.fromkeys(recipients))
    if not people:
        return 0
    await enqueue_notice(
        session,
        created_by=created_by,
        text=text,
        recipients=people,
        buttons=buttons,
        audience={"kind": "event", "unit_codes": [], "ref": str(event_id)},
        origin=ORIGIN,
        key=key,
        report_chat_id=report_chat_id,
    )
    return len(people)


def wake(worker: Waker | None) -> None:
    """After the commit: tell this process's broadcast worker there is work."""
    if worker is not None:
        worker.wake()
