"""Submissions of forms: storing them once, finding a unit's, reviewing them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, Submission, SubmissionStatus, utcnow


async def by_token(session: AsyncSession, token: str) -> Submission | None:
    return await session.scalar(select(Submission).where(Submission.draft_token == token))


async def get(session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.get(Submission, submission_id)


async def live_for_period(
    session: AsyncSession, form_id: str, unit_code: str, period: str
) -> Submission | None:
    return await session.scalar(
        select(Submission).where(
            Submission.form_id == form_id,
            Submission.unit_code == unit_code,
            Submission.period == period,
            Submission.status != SubmissionStatus.REPLACED,
        )
    )


async def store(
    session: AsyncSession,
    *,
    form_id: str,
    form_version: int,
    unit_code: str,
    officer_id: int,
    period: str | None,
    answers: Mapping[str, Any],
    files: Sequence[tuple[str, Mapping[str, Any]]],
    token: str,
    replaces_id: int | None,
    at: datetime | None = None,
) -> tuple[Submission, bool]:
    """Store a submission (and its attachments); (submission, False) if this draft was stored before."""
    existing = await by_token(session, token)
    if existing is not None:
        return existing, False
    if replaces_id is not None:
        # The old version steps aside first: the live-report index allows one per period.
        await session.execute(
            update(Submission)
            .where(Submission.id == replaces_id)
            .values(status=SubmissionStatus.REPLACED)
        )
    submission = Submission(
        form_id=form_id,
        form_version=form_version,
        unit_code=unit_code,
        officer_id=officer_id,
        period=period,
        answers=dict(answers),
        draft_token=token,
        replaces_id=replaces_id,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=at.astimezone(UTC) if at else utcnow(),  # SQLite keeps no zone: UTC
    )
    session.add(submission)
    await session.flush()
    for field_name, file in files:
        session.add(
            Attachment(
                submission_id=submission.id,
                field_name=field_name,
                kind=str(file.get("type") or "document"),
                file_id=str(file["file_id"]),
                file_unique_id=str(file["file_unique_id"]),
                size=file.get("size"),
                mime_type=file.get("mime_type"),
                file_name=file.get("file_name"),
                caption=file.get("caption"),
                messenger=str(file.get("messenger") or "telegram"),
            )
        )
    await session.flush()
    return submission, True


async def attachments(session: AsyncSession, submission_id: int) -> Sequence[Attachment]:
    rows = await session.scalars(
        select(Attachment).where(Attachment.submission_id == submission_id).order_by(Attachment.id)
    )
    return rows.all()


async def recent_for_unit(
    session: AsyncSession, unit_code: str, limit: int = 10
) -> Sequence[Submission]:
    rows = await session.scalars(
        select(Submission)
        .where(Submission.unit_code == unit_code, Submission.status != SubmissionStatus.REPLACED)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return rows.all()


async def needing_revision(session: AsyncSession, unit_code: str) -> Sequence[Submission]:
    """The unit's submissions the department sent back, whatever their period, oldest first."""
    rows = await session.scalars(
        select(Submission)
        .where(
            Submission.unit_code == unit_code,
            Submission.status == SubmissionStatus.NEEDS_REVISION,
        )
        .order_by(Submission.submitted_at, Submission.id)
    )
    return rows.all()


async def review(
    session: AsyncSession,
    submission_id: int,
    *,
    accept: bool,
    staff_id: int,
    comment: str | None = None,
) -> Submission | None:
    """Accept, or ask for a revision of, a submission still waiting; None if it is not waiting."""
    result = await session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.status == SubmissionStatus.SUBMITTED)
        .values(
            status=SubmissionStatus.ACCEPTED if accept else SubmissionStatus.NEEDS_REVISION,
            reviewed_by=staff_id,
            reviewed_at=utcnow(),
            staff_comment=comment,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return None
    submission = await session.get(Submission, submission_id)
    if submission is not None:
        await session.refresh(submission)
    return submission
