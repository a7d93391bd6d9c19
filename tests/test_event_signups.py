"""The seat decisions in the database alone, without the bot's press-order lock: as two bot
processes would race, many sessions sign up, cancel and answer at once on SQLite and PostgreSQL,
and seats are never overbooked, nobody is in twice, the line moves up in order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.audience import Audience, Context
from bot.domain.events import EventKind, SignupStatus
from bot.events.audience import KEY, signed_up
from storage import migrate
from storage.database import create_engine, create_sessionmaker
from storage.models import EventSignup, RegistrationStatus, Role, Unit, User
from storage.repositories import events
from storage.repositories.events import EventDraft
from tests.harness import NOW

Db = async_sessionmaker[AsyncSession]
PEOPLE = 40
SEATS = 15


async def _setup(database_url: str, kind: EventKind = EventKind.COURSE) -> tuple[Db, int, object]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    db = create_sessionmaker(engine)
    async with db() as session:
        session.add_all(
            [
                Unit(code="U1", name="Phường Một", kind="phuong", province_code=1),
                Unit(code="U2", name="Phường Hai", kind="phuong", province_code=1),
            ]
        )
        await session.flush()
        session.add_all(
            User(
                id=5000 + n,
                full_name=f"Cán Bộ {n}",
                unit_code="U1" if n % 2 else "U2",
                role=Role.OFFICER,
                status=RegistrationStatus.APPROVED,
            )
            for n in range(PEOPLE)
        )
        draft = EventDraft(
            kind=kind,
            title="Lớp thử",
            starts_at=NOW + timedelta(days=3),
            ends_at=NOW + timedelta(days=3, hours=3),
            place="Sở",
            seats=SEATS,
            signup_deadline=NOW + timedelta(days=2),
            invite_all=True,
            unit_codes=(),
            description=None,
        )
        event, _new = await events.create_event(session, draft, created_by=1, token="t", now=NOW)
        await session.commit()
        return db, event.id, engine


async def _sign_up(db: Db, event_id: int, user_id: int) -> SignupStatus:
    async with db() as session:
        user = await session.get(User, user_id)
        assert user is not None
        outcome = await events.sign_up(session, event_id, user, NOW)
        await session.commit()
        assert outcome.signup is not None and outcome.refused is None
        return outcome.signup.status


async def _cancel(db: Db, event_id: int, user_id: int) -> list[int]:
    async with db() as session:
        user = await session.get(User, user_id)
        mine = await events.signup_of(session, event_id, user_id)
        assert user is not None and mine is not None
        outcome = await events.cancel_signup(session, mine.id, user, NOW)
        await session.commit()
        return [p.user_id for p in outcome.promoted]


async def _rows(db: Db, event_id: int) -> list[EventSignup]:
    async with db() as session:
        return list(
            await session.scalars(
                select(EventSignup)
                .where(EventSignup.event_id == event_id)
                .order_by(EventSignup.seq)
            )
        )


async def test_concurrent_sign_ups_never_overbook(database_url: str) -> None:
    db, event_id, engine = await _setup(database_url)
    try:
        people = [5000 + n for n in range(PEOPLE)]
        told = await asyncio.gather(*(_sign_up(db, event_id, p) for p in people))
        # Everyone pressing twice more at once changes nothing.
        again = await asyncio.gather(*(_sign_up(db, event_id, p) for p in people[:10]))
        rows = await _rows(db, event_id)
        assert len(rows) == PEOPLE and len({r.user_id for r in rows}) == PEOPLE
        assert len({r.seq for r in rows}) == PEOPLE  # one decision at a time
        confirmed = [r for r in rows if r.status is SignupStatus.CONFIRMED]
        waiting = [r for r in rows if r.status is SignupStatus.WAITING]
        assert len(confirmed) == SEATS and len(waiting) == PEOPLE - SEATS
        # The seats went to the first decisions, the waiting list is the rest in order.
        assert max(r.seq for r in confirmed) < min(r.seq for r in waiting)
        by_user = {r.user_id: r.status for r in rows}
        assert [by_user[p] for p in people] == told
        assert [by_user[p] for p in people[:10]] == again

        # Confirmed people cancel at once: as many move up, first in line first.
        leaving = [r.user_id for r in confirmed[:5]]
        promoted = await asyncio.gather(*(_cancel(db, event_id, p) for p in leaving))
        moved = sorted(p for group in promoted for p in group)
        assert moved == sorted(r.user_id for r in waiting[:5])
        rows = await _rows(db, event_id)
        now_confirmed = [r for r in rows if r.status is SignupStatus.CONFIRMED]
        assert len(now_confirmed) == SEATS
        assert [r.user_id for r in rows if r.status is SignupStatus.WAITING] == [
            r.user_id for r in waiting[5:]
        ]
        async with db() as session:
            assert await events.participant_user_ids(session, event_id) == [
                r.user_id for r in now_confirmed
            ]
            # The broadcast composer's audience: everyone signed up, waiting list too.
            audience = Audience(KEY, ref=str(event_id))
            reached = await signed_up(session, audience, Context(NOW.date(), None))
            assert len(reached) == PEOPLE - 5
            assert {unit for _id, unit in reached} == {"U1", "U2"}
            assert (
                await signed_up(session, Audience(KEY, ref="nonsense"), Context(NOW.date(), None))
                == []
            )
    finally:
        await engine.dispose()  # type: ignore[attr-defined]


async def test_one_answer_per_unit_for_a_conference(database_url: str) -> None:
    db, event_id, engine = await _setup(database_url, EventKind.CONFERENCE)
    try:

        async def answer(user_id: int, attending: bool) -> None:
            async with db() as session:
                user = await session.get(User, user_id)
                assert user is not None
                outcome = await events.answer_for_unit(
                    session, event_id, user, NOW, attending=attending, attendees=None
                )
                await session.commit()
                assert outcome.refused is None

        # Officers of two units answer at once, some attend, some not.
        await asyncio.gather(*(answer(5000 + n, n % 3 != 0) for n in range(12)))
        rows = [r for r in await _rows(db, event_id) if r.status is not SignupStatus.CANCELLED]
        assert sorted(r.unit_code or "" for r in rows) == ["U1", "U2"]
    finally:
        await engine.dispose()  # type: ignore[attr-defined]
