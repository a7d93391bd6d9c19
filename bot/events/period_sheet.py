"""The /xuat workbook's sign-ups sheet: every event starting in the period with its
participants — unit, officer, confirmed or waiting (with the place on the list), and
when they signed up. Plugged into `bot.status.export` as an `ExtraSheet`.

Cancelled events and cancelled sign-ups are left out; a conference's row is the unit's
answer ("Attends"). Times are the department's local time, as people read them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.events import SignupStatus
from bot.domain.periods import Period
from bot.domain.units import UnitEntry
from bot.events.render import kind_label, status_label
from bot.status.figures import utc_bounds
from storage.repositories import status as queries

Gettext = Callable[[str], str]
BATCH = 2000


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    # Excel has no time zones.
    return queries.as_utc(moment).astimezone(tz).replace(tzinfo=None)


class SignupsSheet:
    """One row per live sign-up of the events starting in the period."""

    def __init__(self, units: Sequence[UnitEntry]) -> None:
        self.units = {u.code: u for u in units}

    def title(self, _: Gettext) -> str:
        return _("Event sign-ups")

    def headers(self, _: Gettext) -> list[str]:
        return [
            _("Event"),
            _("Kind"),
            _("Starts at"),
            _("Unit"),
            _("Unit code"),
            _("Officer"),
            _("Status"),
            _("Waiting position"),
            _("Signed up at"),
        ]

    async def count(self, session: AsyncSession, period: Period, tz: ZoneInfo) -> int:
        query = queries.signup_rows(*utc_bounds(period, tz)).subquery()
        return int(await session.scalar(select(func.count()).select_from(query)) or 0)

    async def rows(
        self, session: AsyncSession, period: Period, tz: ZoneInfo, _: Gettext
    ) -> AsyncIterator[list[Any]]:
        query = queries.signup_rows(*utc_bounds(period, tz))
        waiting: dict[int, int] = {}  # event id → waiting sign-ups seen so far (in seq order)
        result = await session.stream(query.execution_options(yield_per=BATCH))
        async for event, signup, officer in result:
            position: int | None = None
            if signup.status is SignupStatus.WAITING:
                position = waiting[event.id] = waiting.get(event.id, 0) + 1
            unit = self.units.get(signup.unit_code or "")
            yield [
                event.title,
                kind_label(event.kind, _),
                _local(event.starts_at, tz),
                unit.name if unit else (signup.unit_code or ""),
                signup.unit_code or "",
                officer or "",
                status_label(signup.status, event.kind, _),
                position,
                _local(signup.created_at, tz),
            ]
