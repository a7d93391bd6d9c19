"""Imported XLSForm workbooks: a new revision per import, published to everyone or to units."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ImportedForm


async def add(
    session: AsyncSession,
    *,
    form_id: str,
    version: str,
    title: str,
    definition: dict[str, Any],
    workbook: bytes,
    filename: str,
    imported_by: int,
) -> ImportedForm:
    """A new, unpublished revision of `form_id` (the first is 1)."""
    last = await session.scalar(
        select(func.max(ImportedForm.revision)).where(ImportedForm.form_id == form_id)
    )
    row = ImportedForm(
        form_id=form_id,
        revision=(last or 0) + 1,
        version=version,
        title=title,
        definition=definition,
        workbook=workbook,
        filename=filename,
        units=None,
        imported_by=imported_by,
    )
    session.add(row)
    await session.flush()
    return row


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


async def get(session: AsyncSession, row_id: int) -> ImportedForm | None:
    return await session.get(ImportedForm, row_id)


def publish(row: ImportedForm, units: Sequence[str] | None, by: int, at: datetime) -> None:
    row.units = list(units) if units is not None else None
    row.published_by = by
    row.published_at = at


async def published(session: AsyncSession) -> list[ImportedForm]:
    """The newest published revision of every imported form id."""
    rows = await session.scalars(
        select(ImportedForm)
        .where(ImportedForm.published_at.is_not(None))
        .order_by(ImportedForm.form_id, ImportedForm.revision.desc())
    )
    newest: dict[str, ImportedForm] = {}
    for row in rows:
        newest.setdefault(row.form_id, row)
    return list(newest.values())


async def versions(session: AsyncSession, form_id: str) -> dict[int, str]:
    """The workbook's own `version` of each revision of `form_id` (Kobo's `__version__`)."""
    rows = await session.execute(
        select(ImportedForm.revision, ImportedForm.version).where(ImportedForm.form_id == form_id)
    )
    return {revision: version for revision, version in rows.all()}
