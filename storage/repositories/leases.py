"""What the two send queues share: a row is claimed by a worker under a lease, sent, then
settled, put back for later, or given back. Broadcast copies (`Delivery`) and owed messages
(`OwedMessage`) have the same lease columns, so one statement serves both."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery, DeliveryState, OwedMessage, utcnow

Leased = type[Delivery] | type[OwedMessage]
_CHUNK = 500  # ids per IN (...) list: well under every database's limit on parameters


def mine_in_flight(model: Leased, row_id: int, worker: str) -> Any:
    # UNKNOWN too: if our lease ran out during a slow request and another worker called it
    # unknown, the answer we did get is still the better record.
    return and_(
        model.id == row_id,
        model.claimed_by == worker,
        model.state.in_([DeliveryState.SENDING, DeliveryState.UNKNOWN]),
    )


async def retry_later(
    session: AsyncSession,
    model: Leased,
    row_id: int,
    worker: str,
    not_before: datetime,
    error: str,
    *,
    count_failure: bool,
) -> None:
    """Put a row that surely did not arrive back in the queue, due at `not_before`."""
    await session.execute(
        update(model)
        .where(mine_in_flight(model, row_id, worker))
        .values(
            state=DeliveryState.PENDING,
            claimed_by=None,
            lease_until=None,
            not_before=not_before,
            error=error[:255],
            failures=model.failures + (1 if count_failure else 0),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def release(
    session: AsyncSession, model: Leased, row_ids: Sequence[int], worker: str
) -> None:
    """Give back claimed rows this worker will not try (it is stopping)."""
    for start in range(0, len(row_ids), _CHUNK):
        await session.execute(
            update(model)
            .where(
                model.id.in_(list(row_ids[start : start + _CHUNK])),
                model.state == DeliveryState.CLAIMED,
                model.claimed_by == worker,
            )
            .values(state=DeliveryState.PENDING, claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
