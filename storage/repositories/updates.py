"""Which update_ids were already handled, so a redelivered update is handled once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import HandledUpdate, utcnow

KEEP_FOR = timedelta(days=2)


async def claim(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    """Mark the update as handled; False when somebody already did."""
    statement = (
        dialect_insert(session, HandledUpdate)
        .values(bot_id=bot_id, update_id=update_id, handled_at=utcnow())
        .on_conflict_do_nothing()
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
    # Telegram keeps an undelivered update for 24 hours; two days is a safe margin.
    await session.execute(
        delete(HandledUpdate).where(HandledUpdate.handled_at < utcnow() - KEEP_FOR)
    )


async def last_handled(session: AsyncSession, bot_id: int) -> int | None:
    """The highest update_id handled so far (None before the first)."""
    return await session.scalar(
        select(func.max(HandledUpdate.update_id)).where(HandledUpdate.bot_id == bot_id)
    )


async def was_handled(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    found = await session.scalar(
        select(HandledUpdate.update_id).where(
            HandledUpdate.bot_id == bot_id, HandledUpdate.update_id == update_id
        )
    )
    return found is not None
