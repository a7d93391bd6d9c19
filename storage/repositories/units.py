"""The units table, kept in step with vietnam-provinces for the configured province."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.units import UnitEntry
from storage.database import dialect_insert
from storage.models import Unit


async def sync_units(session: AsyncSession, province_code: int, units: Iterable[UnitEntry]) -> int:
    """Insert new units, rename changed ones, deactivate those no longer listed; returns the count."""
    wanted = {u.code: u for u in units}
    existing = {
        unit.code: unit
        for unit in (await session.scalars(select(Unit).where(Unit.province_code == province_code)))
    }
    missing = [
        {"code": code, "name": e.name, "kind": e.kind, "province_code": province_code}
        for code, e in wanted.items()
        if code not in existing
    ]
    if missing:
        # Two processes starting together both find the table empty: the second one's
        # inserts must not fail on the first one's rows.
        # Many rows as one statement compiled once (SQLAlchemy's "insertmanyvalues"), not
        # a new statement of ~2,500 parameters compiled at every first start.
        await session.execute(dialect_insert(session, Unit).on_conflict_do_nothing(), missing)
    for code, entry in wanted.items():
        row = existing.get(code)
        if row is not None and (row.name, row.kind, row.active) != (entry.name, entry.kind, True):
            row.name, row.kind, row.active = entry.name, entry.kind, True
    gone = [code for code, row in existing.items() if code not in wanted and row.active]
    if gone:
        await session.execute(update(Unit).where(Unit.code.in_(gone)).values(active=False))
    return len(wanted)


async def active_units(session: AsyncSession, province_code: int) -> list[UnitEntry]:
    rows = await session.scalars(
        select(Unit).where(Unit.active.is_(True), Unit.province_code.in_([province_code, 0]))
    )
    return [UnitEntry(code=u.code, name=u.name, kind=u.kind) for u in rows]
