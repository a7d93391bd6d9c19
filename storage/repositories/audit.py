"""The record of staff and admin actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    actor_id: int,
    action: str,
    target: str | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEntry(actor_id=actor_id, action=action, target=target, details=details or None)
    )


SYSTEM_ACTOR = 0  # the bot itself, at start-up (ADMIN_IDS applied)


def _filtered(
    query: Select[Any],
    person_ids: Sequence[int] | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    if person_ids is not None:
        query = query.where(
            AuditEntry.actor_id.in_(person_ids)
            | AuditEntry.target.in_([str(p) for p in person_ids])
        )
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


async def entries(
    session: AsyncSession,
    *,
    person_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, by or about these people, between `since` and `until`;
    and how many there are in all."""
    total = await session.scalar(
        _filtered(select(func.count()).select_from(AuditEntry), person_ids, since, until)
    )
    rows = await session.scalars(
        _filtered(select(AuditEntry), person_ids, since, until)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)
