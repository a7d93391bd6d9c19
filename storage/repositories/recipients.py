"""Who a notice can go to: approved officers (all, or of some units), staff, units that have
not reported a month. Each query returns (chat id, unit code) pairs, ordered by unit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    RegistrationStatus,
    Submission,
    SubmissionStatus,
    User,
    officer_clause,
    staff_clause,
)

Recipient = tuple[int, str | None]


def _officers() -> Select[int, str | None]:
    return (
        select(User.id, User.unit_code)
        .where(User.status == RegistrationStatus.APPROVED, officer_clause())
        .order_by(User.unit_code, User.id)
    )


async def officers(
    session: AsyncSession, unit_codes: Sequence[str] | None = None
) -> list[Recipient]:
    """Approved officers; of these units only, when given."""
    query = _officers()
    if unit_codes is not None:
        query = query.where(User.unit_code.in_(unit_codes))
    return [(user_id, unit) for user_id, unit in await session.execute(query)]


async def staff(session: AsyncSession) -> list[Recipient]:
    """Department staff and admins the bot knows."""
    rows = await session.execute(
        select(User.id, User.unit_code).where(staff_clause()).order_by(User.id)
    )
    return [(user_id, unit) for user_id, unit in rows]


async def officers_not_reported(session: AsyncSession, form_id: str, month: str) -> list[Recipient]:
    """Approved officers whose unit has no live report of `form_id` for `month` (`2026-11`)."""
    reported = select(Submission.unit_code).where(
        Submission.form_id == form_id,
        Submission.period == month,
        Submission.status != SubmissionStatus.REPLACED,
    )
    query = _officers().where(User.unit_code.is_not(None), User.unit_code.not_in(reported))
    return [(user_id, unit) for user_id, unit in await session.execute(query)]


async def officer_counts(session: AsyncSession, unit_codes: Sequence[str]) -> dict[str, int]:
    """Approved officers per unit, for the labels of the unit buttons."""
    rows = await session.execute(
        select(User.unit_code, func.count())
        .where(
            User.status == RegistrationStatus.APPROVED,
            officer_clause(),
            User.unit_code.in_(unit_codes),
        )
        .group_by(User.unit_code)
    )
    return {str(unit): int(count) for unit, count in rows}
