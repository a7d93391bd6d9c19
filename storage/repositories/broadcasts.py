"""Notices and their deliveries: enqueueing, claiming with a lease, recording what happened.

Every state change is one UPDATE whose WHERE clause says what the row must still be
(`state = 'claimed' AND claimed_by = :me`...), so two workers, in one process or in two,
can't both take, send or finish the same row; the caller commits right after each.
On PostgreSQL the claim skips rows another transaction holds (FOR UPDATE SKIP LOCKED);
SQLite has one writer at a time, so its claim is serialised anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, DeliveryState, Notice, NoticeStatus, User, utcnow
from storage.repositories import leases

UNFINISHED = (DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.SENDING)
_CHUNK = 500  # ids per IN (...) list: well under every database's limit on parameters


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker took: whom to send which notice."""

    id: int
    notice_id: int
    chat_id: int
    failures: int


@dataclass(frozen=True)
class DeliveryLine:
    """One recipient in the details of a notice."""

    chat_id: int
    unit_code: str | None
    name: str | None
    state: DeliveryState
    error: str | None


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


async def _unit_codes(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    for start in range(0, len(chat_ids), _CHUNK):
        chunk = chat_ids[start : start + _CHUNK]
        rows = await session.execute(select(User.id, User.unit_code).where(User.id.in_(chunk)))
        found.update({user_id: unit for user_id, unit in rows})
    return found


async def enqueue_notice(
    session: AsyncSession,
    *,
    created_by: int,
    text: str,
    recipients: Iterable[int],
    media_kind: str | None = None,
    media_file_id: str | None = None,
    buttons: dict[str, Any] | None = None,
    send_at: datetime | None = None,
    audience: dict[str, Any] | None = None,
    origin: str = "staff",
    key: str | None = None,
    report_chat_id: int | None = None,
    report_message_id: int | None = None,
) -> Notice:
    """Store a notice and one pending delivery per recipient (the caller commits).

    `text` is HTML (the bot's parse mode); `buttons` an inline keyboard as the Bot API
    spells it (`{"inline_keyboard": [[{"text": ..., "url": ...}]]}`); `send_at` (aware)
    holds it until then, None sends it as soon as a worker is free. With `key`, a second
    call with the same key returns the first notice and stores nothing. With
    `report_chat_id`, a progress bar and the final report are shown there (edited into
    `report_message_id` when given).
    """
    if send_at is not None:
        if send_at.tzinfo is None:
            raise ValueError("send_at must be an aware datetime (with its time zone)")
        send_at = send_at.astimezone(UTC)  # SQLite keeps the digits only: always UTC
    if key is not None:
        existing = await session.scalar(select(Notice).where(Notice.key == key))
        if existing is not None:
            return existing
    chat_ids = list(dict.fromkeys(recipients))  # once each, in the order given
    notice = Notice(
        created_by=created_by,
        origin=origin,
        key=key,
        text=text,
        media_kind=media_kind,
        media_file_id=media_file_id,
        buttons=buttons,
        audience=audience,
        status=NoticeStatus.SCHEDULED,
        total=len(chat_ids),
        send_at=send_at,
        created_at=utcnow(),
        report_chat_id=report_chat_id,
        report_message_id=report_message_id,
    )
    session.add(notice)
    await session.flush()
    units = await _unit_codes(session, chat_ids)
    if chat_ids:
        await session.execute(
            insert(Delivery),
            [
                {
                    "notice_id": notice.id,
                    "chat_id": chat_id,
                    "unit_code": units.get(chat_id),
                    "state": DeliveryState.PENDING,
                    "attempts": 0,
                    "failures": 0,
                }
                for chat_id in chat_ids
            ],
        )
    return notice


# --- the worker's side ------------------------------------------------------------------------


async def start_due(session: AsyncSession, now: datetime) -> list[int]:
    """Notices whose time has come start sending; each is returned to one caller only."""
    result = await session.execute(
        update(Notice)
        .where(
            Notice.status == NoticeStatus.SCHEDULED,
            or_(Notice.send_at.is_(None), Notice.send_at <= now),
        )
        .values(status=NoticeStatus.SENDING, started_at=utcnow())
        .returning(Notice.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


async def claim(
    session: AsyncSession, worker: str, limit: int, now: datetime, lease_until: datetime
) -> list[Claimed]:
    """Take up to `limit` due deliveries of notices being sent, oldest first."""
    due = (
        select(Delivery.id)
        .where(
            Delivery.state == DeliveryState.PENDING,
            Delivery.notice_id.in_(select(Notice.id).where(Notice.status == NoticeStatus.SENDING)),
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT): PostgreSQL may run such
    # a subquery once per row and take far more than `limit` rows. The locks taken by the
    # SELECT hold until the caller commits; the UPDATE's own `state = 'pending'` keeps two
    # claimers apart where there are no row locks (SQLite).
    ids = list(await session.scalars(due))
    if not ids:
        return []
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.state == DeliveryState.PENDING)
        .values(
            state=DeliveryState.CLAIMED, claimed_by=worker, lease_until=lease_until, updated_at=now
        )
        .returning(Delivery.id, Delivery.notice_id, Delivery.chat_id, Delivery.failures)
        .execution_options(synchronize_session=False)
    )
    return sorted((Claimed(*row) for row in result), key=lambda c: c.id)


async def start_sending(
    session: AsyncSession, delivery_id: int, worker: str, lease_until: datetime
) -> bool:
    """Mark a claimed delivery as on its way; False if it is no longer this worker's."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state == DeliveryState.CLAIMED,
            Delivery.claimed_by == worker,
        )
        .values(
            state=DeliveryState.SENDING,
            attempts=Delivery.attempts + 1,
            lease_until=lease_until,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def settle(
    session: AsyncSession,
    delivery_id: int,
    worker: str,
    state: DeliveryState,
    *,
    message_id: int | None = None,
    error: str | None = None,
    failed_once_more: bool = False,
) -> None:
    """Record the final state of a delivery this worker sent."""
    await session.execute(
        update(Delivery)
        .where(leases.mine_in_flight(Delivery, delivery_id, worker))
        .values(
            state=state,
            message_id=message_id,
            error=error[:255] if error else None,
            lease_until=None,
            failures=Delivery.failures + (1 if failed_once_more else 0),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def recover_expired(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """After a worker died: its untried deliveries go back to the queue, the ones it was
    sending become unknown (they may have arrived; sending again could make a duplicate).
    Returns (returned, unknown)."""
    returned = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.CLAIMED, Delivery.lease_until < now)
        .values(state=DeliveryState.PENDING, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    lost = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now)
        .values(
            state=DeliveryState.UNKNOWN,
            error="the bot stopped while sending it",
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(returned), _rowcount(lost)


async def unfinished_notices(session: AsyncSession) -> Sequence[Notice]:
    """Notices being sent or stopped whose final report is still to come."""
    rows = await session.scalars(
        select(Notice)
        .where(
            Notice.finished_at.is_(None),
            Notice.status.in_([NoticeStatus.SENDING, NoticeStatus.CANCELLED]),
        )
        .order_by(Notice.id)
    )
    return rows.all()


async def try_finish(session: AsyncSession, notice_id: int) -> bool:
    """Close a notice with nothing left to send; True for the one caller that closed it."""
    left = exists().where(Delivery.notice_id == notice_id, Delivery.state.in_(UNFINISHED))
    result = await session.execute(
        update(Notice)
        .where(
            Notice.id == notice_id,
            Notice.finished_at.is_(None),
            Notice.status.in_([NoticeStatus.SENDING, NoticeStatus.CANCELLED]),
            ~left,
        )
        .values(finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == NoticeStatus.SENDING)
        .values(status=NoticeStatus.DONE)
        .execution_options(synchronize_session=False)
    )
    return True


async def take_progress_turn(
    session: AsyncSession, notice_id: int, now: datetime, not_since: datetime
) -> bool:
    """True for one caller at a time, at most once between `not_since` and `now`."""
    result = await session.execute(
        update(Notice)
        .where(
            Notice.id == notice_id,
            or_(Notice.progress_at.is_(None), Notice.progress_at <= not_since),
        )
        .values(progress_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def take_half_way(session: AsyncSession, notice_id: int, now: datetime) -> bool:
    """True for the one caller that shows a notice's half-way mark (on Zalo, where the bar
    is not redrawn: `progress_at` is then set only by this)."""
    result = await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.progress_at.is_(None))
        .values(progress_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def set_report_message(
    session: AsyncSession, notice_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Notice)
        .where(Notice.id == notice_id)
        .values(report_chat_id=chat_id, report_message_id=message_id)
        .execution_options(synchronize_session=False)
    )


# --- staff's side -----------------------------------------------------------------------------


async def cancel(session: AsyncSession, notice_id: int, by: int) -> NoticeStatus | None:
    """Stop a notice: what was not tried yet is not sent. Returns the status it had, or None
    if it was already over."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return None
    before = notice.status
    values: dict[str, Any] = {"status": NoticeStatus.CANCELLED, "cancelled_by": by}
    if before is NoticeStatus.SCHEDULED:
        values["finished_at"] = utcnow()  # never started: nothing to wait for
    result = await session.execute(
        update(Notice)
        .where(
            Notice.id == notice_id,
            Notice.status == before,
            Notice.status.in_([NoticeStatus.SCHEDULED, NoticeStatus.SENDING]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return None
    await session.execute(
        update(Delivery)
        .where(
            Delivery.notice_id == notice_id,
            Delivery.state.in_([DeliveryState.PENDING, DeliveryState.CLAIMED]),
        )
        .values(state=DeliveryState.CANCELLED, claimed_by=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(notice)
    return before


async def get(session: AsyncSession, notice_id: int) -> Notice | None:
    return await session.get(Notice, notice_id)


async def recent(session: AsyncSession, limit: int = 10) -> Sequence[Notice]:
    rows = await session.scalars(select(Notice).order_by(Notice.id.desc()).limit(limit))
    return rows.all()


async def counts(session: AsyncSession, notice_id: int) -> dict[DeliveryState, int]:
    """How many deliveries of the notice are in each state."""
    rows = await session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.notice_id == notice_id)
        .group_by(Delivery.state)
    )
    return {DeliveryState(state): int(count) for state, count in rows}


async def details(session: AsyncSession, notice_id: int) -> list[DeliveryLine]:
    """Every recipient of the notice, with their name and unit, for the Chi tiết list."""
    rows = await session.execute(
        select(Delivery.chat_id, Delivery.unit_code, User.full_name, Delivery.state, Delivery.error)
        .outerjoin(User, User.id == Delivery.chat_id)
        .where(Delivery.notice_id == notice_id)
        .order_by(Delivery.unit_code, User.full_name, Delivery.chat_id)
    )
    return [DeliveryLine(c, u, n, DeliveryState(s), e) for c, u, n, s, e in rows]


async def anything_due(session: AsyncSession, now: datetime) -> bool:
    """A cheap read before a claim, so an idle worker doesn't take the write lock each poll."""
    found = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.state == DeliveryState.PENDING,
            Delivery.notice_id.in_(select(Notice.id).where(Notice.status == NoticeStatus.SENDING)),
            or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
        )
        .limit(1)
    )
    return found is not None


async def anything_to_start_or_recover(
    session: AsyncSession, now: datetime, domain_now: datetime
) -> bool:
    """The same for the housekeeping: a notice due to start, or a lease run out."""
    expired = await session.scalar(
        select(Delivery.id)
        .where(
            Delivery.state.in_([DeliveryState.CLAIMED, DeliveryState.SENDING]),
            Delivery.lease_until < now,
        )
        .limit(1)
    )
    if expired is not None:
        return True
    due = await session.scalar(
        select(Notice.id)
        .where(
            Notice.status == NoticeStatus.SCHEDULED,
            or_(Notice.send_at.is_(None), Notice.send_at <= domain_now),
        )
        .limit(1)
    )
    return due is not None


async def other_senders(session: AsyncSession, worker: str, now: datetime) -> int:
    """How many other workers hold live claims: they share Telegram's limit with this one."""
    count = await session.scalar(
        select(func.count(func.distinct(Delivery.claimed_by))).where(
            Delivery.state.in_([DeliveryState.CLAIMED, DeliveryState.SENDING]),
            Delivery.lease_until > now,
            Delivery.claimed_by != worker,
        )
    )
    return int(count or 0)
