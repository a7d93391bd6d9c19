"""The broadcast composer's audience "people signed up for an event" (/thongbao).

Registered with the broadcast engine's registry when this module is imported (the
events handlers import it); the second question lists the events not over yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcast.audience import Audience, AudienceKind, Choice, Context, Recipient, register
from bot.domain.events import EventStatus
from bot.domain.text import N_, shorten
from storage.models import Event, User
from storage.repositories import events

KEY = "event"


async def signed_up(session: AsyncSession, audience: Audience, _c: Context) -> list[Recipient]:
    """Everyone with a seat or on the waiting list of the chosen event."""
    if not audience.ref or not audience.ref.isdigit():
        return []
    ids = await events.participant_user_ids(session, int(audience.ref), waiting=True)
    if not ids:
        return []
    rows = await session.execute(select(User.id, User.unit_code).where(User.id.in_(ids)))
    units = dict(rows.all())
    return [(user_id, units.get(user_id)) for user_id in ids]


async def current_events(
    session: AsyncSession, context: Context, gettext: Callable[[str], str]
) -> list[Choice]:
    since = datetime.combine(context.today, time(), UTC)
    rows = await session.scalars(
        select(Event)
        .where(Event.ends_at >= since, Event.status != EventStatus.CANCELLED)
        .order_by(Event.starts_at)
        .limit(20)
    )
    return [Choice(str(e.id), f"#{e.id} {shorten(e.title, 40)}") for e in rows]


register(AudienceKind(KEY, N_("People signed up for an event"), signed_up, choices=current_events))
