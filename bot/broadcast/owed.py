"""What the worker needs to send an owed message (storage.repositories.outbox): the Bot API call
a row stands for, and a wake-up when a transaction that queued one commits.

Handlers queue the rows in their own session; the rows exist only once it commits, so that
is when the workers of this process are woken (other processes find them at their next poll).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import DeliveryState, OwedMessage
from storage.repositories import outbox
from storage.repositories.outbox import WAKE_FLAG

METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
    "sendDocument": SendDocument,
    "editMessageText": EditMessageText,
    "editMessageReplyMarkup": EditMessageReplyMarkup,
}
EDITS = frozenset({"editMessageText", "editMessageReplyMarkup"})
# Telegram's answer to an edit that changes nothing: the edit is already there.
ALREADY_DONE = "message is not modified"

_wakers: set[Callable[[], None]] = set()


def on_commit_wake(waker: Callable[[], None]) -> Callable[[], None]:
    """Call `waker` after each commit that queued an owed message; returns the undo."""
    _wakers.add(waker)
    return lambda: _wakers.discard(waker)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(WAKE_FLAG, False):
        for waker in list(_wakers):
            waker()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(WAKE_FLAG, None)


async def call(
    bot: Bot,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    timeout: int,
    *,
    message_id: int | None = None,
) -> int | None:
    """Make the call a row stands for; the message id it produced (edits: None)."""
    fields: dict[str, Any] = {"chat_id": chat_id, **payload}
    if message_id is not None:
        fields["message_id"] = message_id
    result = await bot(METHODS[method].model_validate(fields), request_timeout=timeout)
    return result.message_id if isinstance(result, Message) else None


# --- queuing, for the handlers --------------------------------------------------------------


def owe_text(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    kind: str,
    markup: InlineKeyboardMarkup | None = None,
    card: str | None = None,
    locale: str | None = None,
    after: OwedMessage | None = None,
) -> OwedMessage:
    """Queue a message (HTML) in the caller's transaction; it goes out once that commits
    (and after `after`, when given: the pages of one long card in their order)."""
    payload: dict[str, Any] = {"text": text}
    if markup is not None:
        payload["reply_markup"] = markup.model_dump(exclude_none=True)
    return outbox.owe(
        session,
        chat_id=chat_id,
        method="sendMessage",
        payload=payload,
        kind=kind,
        card=card,
        locale=locale,
        after=after,
    )


def owe_file(
    session: AsyncSession,
    chat_id: int,
    kind_of_file: str,
    file_id: str,
    caption: str,
    *,
    kind: str,
    after: OwedMessage,
) -> OwedMessage:
    """Queue a photo or document, sent after `after` (a card's files after the card)."""
    method, field = (
        ("sendPhoto", "photo") if kind_of_file == "photo" else ("sendDocument", "document")
    )
    return outbox.owe(
        session,
        chat_id=chat_id,
        method=method,
        payload={field: file_id, "caption": caption},
        kind=kind,
        after=after,
    )


def record_card_copy(
    session: AsyncSession,
    chat_id: int,
    text: str,
    message_id: int,
    *,
    card: str,
    locale: str | None,
) -> None:
    """A card the handler showed itself (a list under /duyet): remembered as sent, so that a
    decision taken elsewhere edits it like the copies the outbox sent."""
    row = outbox.owe(
        session,
        chat_id=chat_id,
        method="sendMessage",
        payload={"text": text},
        kind="card.shown",
        card=card,
        locale=locale,
    )
    row.state = DeliveryState.SENT
    row.message_id = message_id
    row.attempts = 1
    session.info.pop(WAKE_FLAG, None)


async def close_card(
    session: AsyncSession,
    card: str,
    i18n: I18n,
    default_locale: str,
    verdict: Callable[[], str],
    *,
    skip: tuple[int, int] | None = None,
) -> int:
    """Queue an edit of every copy of `card` (but the `skip` one, (chat, message)): its text
    with `verdict` (rendered in that copy's language) below, and no buttons. Returns how many."""
    count = 0
    for copy in await outbox.card_copies(session, card):
        if skip is not None and (copy.chat_id, copy.message_id) == skip:
            continue
        with i18n.use_locale(copy.locale or default_locale):
            line = verdict()
        outbox.owe(
            session,
            chat_id=copy.chat_id,
            method="editMessageText",
            payload={"text": copy.text + "\n\n" + line},
            kind="card.closed",
            after_id=copy.id,
            priority=outbox.PRIORITY_EDIT,
        )
        count += 1
    return count
