"""Which update_ids were handled lately, so a redelivered update is handled once.

A claim counts only while it is recent (`KEEP_FOR`): Telegram redelivers an update
within 24 hours, and after a week without updates it may start numbering again from a
lower id, which must not be taken for one handled long ago. Old claims are pruned, and
until they are, every question here ignores them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import HandledUpdate, utcnow

# Telegram keeps an undelivered update for 24 hours; two days is a safe margin.
KEEP_FOR = timedelta(days=2)


def recent_since() -> datetime:
    """Claims handled before this moment no longer count."""
    return utcnow() - KEEP_FOR


def _recent() -> ColumnElement[bool]:
    return HandledUpdate.handled_at >= recent_since()


async def claim(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    """Mark the update as handled; False when it was, lately. An old claim is taken over."""
    insert = dialect_insert(session, HandledUpdate).values(
        bot_id=bot_id, update_id=update_id, handled_at=utcnow()
    )
    statement = insert.on_conflict_do_update(
        index_elements=["bot_id", "update_id"],
        set_={"handled_at": insert.excluded.handled_at},
        where=HandledUpdate.handled_at < recent_since(),
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, bot_id: int, update_id: int) -> None:
    """Forget a claim whose handling failed, so a redelivery is handled again."""
    await session.execute(
        delete(HandledUpdate).where(
            HandledUpdate.bot_id == bot_id, HandledUpdate.update_id == update_id
        )
    )


async def forget_old(session: AsyncSession) -> None:
    await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < recent_since()))


async def last_handled(session: AsyncSession, bot_id: int, *, recent: bool = True) -> int | None:
    """The highest update_id handled lately (or ever: `recent=False`); None when none."""
    query = select(func.max(HandledUpdate.update_id)).where(HandledUpdate.bot_id == bot_id)
    if recent:
        query = query.where(_recent())
    return await session.scalar(query)


async def was_handled(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    found = await session.scalar(
        select(HandledUpdate.update_id).where(
            HandledUpdate.bot_id == bot_id, HandledUpdate.update_id == update_id, _recent()
        )
    )
    return found is not None
