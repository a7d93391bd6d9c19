"""Imported XLSForm workbooks: a new revision per import, published to everyone or to units."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import dialect_insert
from storage.models import ImportedForm


async def add(
    session: AsyncSession,
    *,
    form_id: str,
    revision: int,
    version: str,
    title: str,
    definition: dict[str, Any],
    workbook: bytes,
    filename: str,
    imported_by: int,
) -> ImportedForm | None:
    """The unpublished `revision` of `form_id`, or None when another import took that
    revision at the same moment (the same file sent twice in a flash): the database waited
    for it and kept its row; the caller looks again.
    """
    statement = (
        dialect_insert(session, ImportedForm)
        .values(
            form_id=form_id,
            revision=revision,
            version=version,
            title=title,
            definition=definition,
            workbook=workbook,
            filename=filename,
            units=None,
            imported_by=imported_by,
        )
        .on_conflict_do_nothing()
        .returning(ImportedForm.id)
    )
    row_id = await session.scalar(statement)
    return None if row_id is None else await session.get(ImportedForm, row_id)


async def same_workbook(session: AsyncSession, form_id: str, content: bytes) -> ImportedForm | None:
    """The revision of `form_id` imported from exactly these bytes, if any.

    The digest is computed from the stored workbooks rather than kept in a column: a form
    has a few revisions of a few kilobytes each, and no migration is needed.
    """
    digest = hashlib.sha256(content).digest()
    rows = await session.scalars(
        select(ImportedForm)
        .where(ImportedForm.form_id == form_id)
        .order_by(ImportedForm.revision.desc())
    )
    for row in rows:
        if hashlib.sha256(row.workbook).digest() == digest:
            return row
    return None


async def imported_since(session: AsyncSession, since: datetime) -> list[ImportedForm]:
    rows = await session.scalars(
        select(ImportedForm).where(ImportedForm.imported_at >= since).order_by(ImportedForm.id)
    )
    return list(rows)


async def get(session: AsyncSession, row_id: int) -> ImportedForm | None:
    return await session.get(ImportedForm, row_id)


def publish(row: ImportedForm, units: Sequence[str] | None, by: int, at: datetime) -> None:
    row.units = list(units) if units is not None else None
    row.published_by = by
    row.published_at = at


# The revision in force is the one published last, not the highest: an admin may go back
# to an older revision by publishing it again.
_LAST_PUBLISHED = (ImportedForm.published_at.desc(), ImportedForm.revision.desc())


async def published(session: AsyncSession) -> list[ImportedForm]:
    """The revision in force (the most recently published) of every imported form id."""
    rows = await session.scalars(
        select(ImportedForm)
        .where(ImportedForm.published_at.is_not(None))
        .order_by(ImportedForm.form_id, *_LAST_PUBLISHED)
    )
    newest: dict[str, ImportedForm] = {}
    for row in rows:
        newest.setdefault(row.form_id, row)
    return list(newest.values())


async def in_force(session: AsyncSession, form_id: str) -> ImportedForm | None:
    """The revision of `form_id` officers fill now: the one published last, if any."""
    rows = await session.scalars(
        select(ImportedForm)
        .where(ImportedForm.form_id == form_id, ImportedForm.published_at.is_not(None))
        .order_by(*_LAST_PUBLISHED)
        .limit(1)
    )
    return rows.first()


async def newest_revision(session: AsyncSession, form_id: str) -> int:
    """The highest revision of `form_id` imported so far."""
    last = await session.scalar(
        select(func.max(ImportedForm.revision)).where(ImportedForm.form_id == form_id)
    )
    return int(last or 0)


async def versions(session: AsyncSession, form_id: str) -> dict[int, str]:
    """The workbook's own `version` of each revision of `form_id` (Kobo's `__version__`)."""
    rows = await session.execute(
        select(ImportedForm.revision, ImportedForm.version).where(ImportedForm.form_id == form_id)
    )
    return {revision: version for revision, version in rows.all()}
