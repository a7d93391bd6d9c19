"""Messages the bot owes someone: queued in the caller's transaction, sent by the broadcast worker.

The rows live beside the broadcast deliveries and go through the same states (pending,
claimed, sending, sent, unreachable, failed, unknown, cancelled), with the same guarded
UPDATEs: every change says in its WHERE clause what the row must still be, so two workers
can't both take, send or settle one row; the caller commits right after each.

What differs from a broadcast copy is what happens after a crash: a row that was `sending`
when its worker died goes back to the queue (a staff card or a decision must arrive; a
second copy of one is a lesser harm than none), up to `MAX_ATTEMPTS` tries, then unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import DeliveryState, OwedMessage, utcnow
from storage.repositories import leases

# A row after which its followers may go: it is settled one way or another.
SETTLED = (
    DeliveryState.SENT,
    DeliveryState.UNREACHABLE,
    DeliveryState.FAILED,
    DeliveryState.UNKNOWN,
    DeliveryState.CANCELLED,
)
MAX_ATTEMPTS = 5  # tries that may have reached Telegram (crashes mid-request included)
WAKE_FLAG = "outbox.owes"  # in session.info: the commit should wake the workers

# What the bot owes before what it broadcasts, and people's own business before edits.
PRIORITY_MESSAGE = 0
PRIORITY_EDIT = 1


@dataclass(frozen=True)
class Owed:
    """A row a worker took: one Bot API call to make."""

    id: int
    chat_id: int
    method: str
    payload: dict[str, Any]
    kind: str
    after_id: int | None
    failures: int


@dataclass(frozen=True)
class CardCopy:
    """One copy of a card (its message in one chat), sent or still on its way."""

    id: int
    chat_id: int
    locale: str | None
    text: str
    message_id: int | None


def owe(
    session: AsyncSession,
    *,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    kind: str,
    card: str | None = None,
    locale: str | None = None,
    after: OwedMessage | None = None,
    after_id: int | None = None,
    priority: int = PRIORITY_MESSAGE,
) -> OwedMessage:
    """Queue one Bot API call in the caller's transaction (sent once it commits)."""
    row = OwedMessage(
        chat_id=chat_id,
        method=method,
        payload=payload,
        kind=kind,
        card=card,
        locale=locale,
        priority=priority,
        state=DeliveryState.PENDING,
        attempts=0,
        failures=0,
        created_at=utcnow(),
    )
    if after is not None:
        row.after = after  # its id is not known before the flush
    else:
        row.after_id = after_id
    session.add(row)
    session.info[WAKE_FLAG] = True
    return row


async def card_copies(session: AsyncSession, card: str) -> list[CardCopy]:
    """Every copy of a card that was not given up on, oldest first."""
    rows = await session.execute(
        select(
            OwedMessage.id,
            OwedMessage.chat_id,
            OwedMessage.locale,
            OwedMessage.payload,
            OwedMessage.message_id,
        )
        .where(
            OwedMessage.card == card,
            OwedMessage.method == "sendMessage",
            OwedMessage.state.not_in(
                [DeliveryState.UNREACHABLE, DeliveryState.FAILED, DeliveryState.CANCELLED]
            ),
        )
        .order_by(OwedMessage.id)
    )
    return [
        CardCopy(id_, chat, locale, str((payload or {}).get("text") or ""), message_id)
        for id_, chat, locale, payload, message_id in rows
    ]


# --- the worker's side ------------------------------------------------------------------------


def _due(now: datetime) -> Any:
    before = aliased(OwedMessage)
    return and_(
        OwedMessage.state == DeliveryState.PENDING,
        or_(OwedMessage.not_before.is_(None), OwedMessage.not_before <= now),
        or_(
            OwedMessage.after_id.is_(None),
            exists().where(before.id == OwedMessage.after_id, before.state.in_(SETTLED)),
        ),
    )


async def anything_due(session: AsyncSession, now: datetime) -> bool:
    found = await session.scalar(select(OwedMessage.id).where(_due(now)).limit(1))
    return found is not None


async def outstanding(session: AsyncSession, now: datetime) -> bool:
    """Something owed is due or on its way (not counting retries set for later)."""
    found = await session.scalar(
        select(OwedMessage.id)
        .where(
            or_(
                _due(now),
                OwedMessage.state.in_([DeliveryState.CLAIMED, DeliveryState.SENDING]),
            )
        )
        .limit(1)
    )
    return found is not None


async def claim(
    session: AsyncSession, worker: str, limit: int, now: datetime, lease_until: datetime
) -> list[Owed]:
    """Take up to `limit` due rows, most urgent first, then oldest first."""
    if limit <= 0:
        return []
    due = (
        select(OwedMessage.id)
        .where(_due(now))
        .order_by(OwedMessage.priority, OwedMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=OwedMessage, skip_locked=True)
    ids = list(await session.scalars(due))
    if not ids:
        return []
    result = await session.execute(
        update(OwedMessage)
        .where(OwedMessage.id.in_(ids), OwedMessage.state == DeliveryState.PENDING)
        .values(
            state=DeliveryState.CLAIMED, claimed_by=worker, lease_until=lease_until, updated_at=now
        )
        .returning(
            OwedMessage.id,
            OwedMessage.chat_id,
            OwedMessage.method,
            OwedMessage.payload,
            OwedMessage.kind,
            OwedMessage.after_id,
            OwedMessage.failures,
        )
        .execution_options(synchronize_session=False)
    )
    return sorted((Owed(*row) for row in result), key=lambda o: ids.index(o.id))


async def start_sending(
    session: AsyncSession, row_id: int, worker: str, lease_until: datetime
) -> bool:
    """Mark a claimed row as on its way; False if it is no longer this worker's."""
    result = await session.execute(
        update(OwedMessage)
        .where(
            OwedMessage.id == row_id,
            OwedMessage.state == DeliveryState.CLAIMED,
            OwedMessage.claimed_by == worker,
        )
        .values(
            state=DeliveryState.SENDING,
            attempts=OwedMessage.attempts + 1,
            lease_until=lease_until,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def message_id_of(session: AsyncSession, row_id: int) -> int | None:
    """The message a sent row became (what an edit after it edits)."""
    found = await session.scalar(select(OwedMessage.message_id).where(OwedMessage.id == row_id))
    return int(found) if found is not None else None


async def settle(
    session: AsyncSession,
    row_id: int,
    worker: str,
    state: DeliveryState,
    *,
    message_id: int | None = None,
    error: str | None = None,
) -> None:
    await session.execute(
        update(OwedMessage)
        .where(leases.mine_in_flight(OwedMessage, row_id, worker))
        .values(
            state=state,
            message_id=message_id,
            error=error[:255] if error else None,
            lease_until=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def recover_expired(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """After a worker died: its rows go back to the queue, those it was sending too (a second
    copy beats none) until their tries are used up, then they are unknown.
    Returns (returned, unknown)."""
    expired = and_(
        OwedMessage.state.in_([DeliveryState.CLAIMED, DeliveryState.SENDING]),
        OwedMessage.lease_until < now,
    )
    found = await session.scalar(select(OwedMessage.id).where(expired).limit(1))
    if found is None:
        return 0, 0
    lost = await session.execute(
        update(OwedMessage)
        .where(
            OwedMessage.state == DeliveryState.SENDING,
            OwedMessage.lease_until < now,
            OwedMessage.attempts >= MAX_ATTEMPTS,
        )
        .values(
            state=DeliveryState.UNKNOWN,
            error="the bot stopped while sending it",
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    returned = await session.execute(
        update(OwedMessage)
        .where(expired)
        .values(state=DeliveryState.PENDING, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(returned.rowcount), int(lost.rowcount)  # type: ignore[attr-defined]
