"""The time the bot lives in: one object to ask, so tests can move it instead of sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: ZoneInfo, fixed: datetime | None = None) -> None:
        self.tz = tz
        self.fixed = fixed

    def now(self) -> datetime:
        """An aware datetime in the configured zone."""
        moment = self.fixed if self.fixed is not None else datetime.now(UTC)
        return moment.astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()
