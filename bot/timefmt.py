"""Dates and times the way Vietnamese users read them: `27/11/2026 14:05`, in the configured zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_datetime(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")
