"""The queries behind the staff inbox (/hoso): a filtered page of submissions, and versions.

The order is fixed and total: the submissions waiting for a review first, then the rest,
each newest first by id (ids grow as submissions arrive). Pages are read by keyset — the
rows after (or before) the last (or first) row shown — and never past the newest id the
list began with, so a page button pressed later shows the same list, not one shifted by
what arrived since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Submission, SubmissionStatus

# 0 for waiting, 1 for the rest: the first key of the order.
GROUP: ColumnElement[int] = case((Submission.status == SubmissionStatus.SUBMITTED, 0), else_=1)


@dataclass(frozen=True)
class Criteria:
    """What the list holds. `states` None: every state but replaced; `unit_codes` None: all.

    `months` are stored periods (`2026-11`); a form without a period (an inspection) is in
    the period of its own day (`occurred_on`, the inspection date) between `first_day` and
    `end_day`, and one without that day when it was sent between `sent_from` and
    `sent_before` (UTC): the same rule as /thongke and /xuat.
    """

    states: Sequence[SubmissionStatus] | None = None
    form_id: str | None = None
    unit_codes: Sequence[str] | None = None
    months: Sequence[str] | None = None
    sent_from: datetime | None = None
    sent_before: datetime | None = None
    first_day: date | None = None
    end_day: date | None = None
    max_id: int | None = None


@dataclass(frozen=True)
class Cursor:
    group: int
    id: int


@dataclass(frozen=True)
class Page:
    rows: Sequence[Submission]
    has_before: bool
    has_after: bool
    total: int
    waiting: int
    position: int  # how many rows come before the first one shown


def _where(criteria: Criteria) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if criteria.states is None:
        clauses.append(Submission.status != SubmissionStatus.REPLACED)
    else:
        clauses.append(Submission.status.in_(list(criteria.states)))
    if criteria.form_id is not None:
        clauses.append(Submission.form_id == criteria.form_id)
    if criteria.unit_codes is not None:
        clauses.append(Submission.unit_code.in_(list(criteria.unit_codes)))
    if criteria.months is not None:
        in_period: ColumnElement[bool] = Submission.period.in_(list(criteria.months))
        if criteria.sent_from is not None and criteria.sent_before is not None:
            in_period = or_(
                in_period,
                and_(
                    Submission.period.is_(None),
                    Submission.occurred_on.is_(None),
                    Submission.submitted_at >= criteria.sent_from,
                    Submission.submitted_at < criteria.sent_before,
                ),
            )
        if criteria.first_day is not None and criteria.end_day is not None:
            in_period = or_(
                in_period,
                and_(
                    Submission.period.is_(None),
                    Submission.occurred_on >= criteria.first_day,
                    Submission.occurred_on < criteria.end_day,
                ),
            )
        clauses.append(in_period)
    if criteria.max_id is not None:
        clauses.append(Submission.id <= criteria.max_id)
    return clauses


async def newest_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Submission.id), 0))) or 0)


async def page(
    session: AsyncSession,
    criteria: Criteria,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = 10,
) -> Page:
    """The `size` rows after `after` (or before `before`; the first ones when neither)."""
    where = _where(criteria)
    query = select(Submission).where(*where)
    if before is not None:
        query = query.where(
            or_(GROUP < before.group, and_(GROUP == before.group, Submission.id > before.id))
        ).order_by(GROUP.desc(), Submission.id.asc())
    else:
        if after is not None:
            query = query.where(
                or_(GROUP > after.group, and_(GROUP == after.group, Submission.id < after.id))
            )
        query = query.order_by(GROUP.asc(), Submission.id.desc())
    rows = list((await session.scalars(query.limit(size))).all())
    if before is not None:
        rows.reverse()
    counts = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(1 - GROUP), 0)).where(*where)
        )
    ).one()
    total, waiting = int(counts[0]), int(counts[1])
    position = 0
    if rows:
        first = Cursor(0 if rows[0].status is SubmissionStatus.SUBMITTED else 1, rows[0].id)
        position = int(
            await session.scalar(
                select(func.count())
                .where(*where)
                .where(
                    or_(GROUP < first.group, and_(GROUP == first.group, Submission.id > first.id))
                )
            )
            or 0
        )
    return Page(rows, position > 0, position + len(rows) < total, total, waiting, position)


async def versions(session: AsyncSession, submission: Submission) -> list[Submission]:
    """Every version of `submission`, oldest first: what it replaced, and what replaced it."""
    chain = [submission]
    seen = {submission.id}
    while chain[0].replaces_id is not None and chain[0].replaces_id not in seen:
        older = await session.get(Submission, chain[0].replaces_id)
        if older is None:
            break
        seen.add(older.id)
        chain.insert(0, older)
    while True:
        newer = await session.scalar(
            select(Submission)
            .where(Submission.replaces_id == chain[-1].id)
            .order_by(Submission.id)
            .limit(1)
        )
        if newer is None or newer.id in seen:
            break
        seen.add(newer.id)
        chain.append(newer)
    return chain
