"""Helpers for the broadcast tests: officers in bulk, the worker, who got what."""

from __future__ import annotations

from collections import Counter
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.outcome import Backoff
from bot.broadcast.worker import BroadcastWorker
from bot.domain.units import UnitDirectory
from bot.emulator import FakeBotAPI
from storage.models import (
    Delivery,
    DeliveryState,
    RegistrationStatus,
    Role,
    Submission,
    User,
    utcnow,
)

SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}


def unit_code(units: UnitDirectory, query: str) -> str:
    return units.search(query).units[0].code


async def add_officers(
    db: async_sessionmaker[AsyncSession], unit: str, first_id: int, count: int
) -> list[int]:
    """Approved officers of `unit`, straight into the database (registration has its tests)."""
    ids = list(range(first_id, first_id + count))
    async with db() as session:
        for n, user_id in enumerate(ids):
            session.add(
                User(
                    id=user_id,
                    full_name=f"Cán bộ {n + 1}",
                    unit_code=unit,
                    role=Role.OFFICER,
                    status=RegistrationStatus.APPROVED,
                    registered_at=utcnow(),
                    decided_at=utcnow(),
                )
            )
        await session.commit()
    return ids


async def add_report(
    db: async_sessionmaker[AsyncSession], unit: str, officer_id: int, month: str
) -> None:
    async with db() as session:
        session.add(
            Submission(
                form_id="activity_report",
                form_version=1,
                unit_code=unit,
                officer_id=officer_id,
                period=month,
                answers={},
                draft_token=str(uuid4()),
            )
        )
        await session.commit()


def quick(worker: BroadcastWorker, rate: float | None = None) -> BroadcastWorker:
    """Transient errors retried after 50 ms (3 tries), not seconds; requests time out after 1 s."""
    worker.backoff = Backoff(base=0.05, cap=0.2, max_failures=3)
    worker.request_timeout = 1
    worker.progress.every = 0.5
    if rate is not None:
        worker.rate = rate
        worker.pacer.set_rate(rate)
    return worker


def copies(api: FakeBotAPI, chat_ids: list[int]) -> Counter[int]:
    """How many notices each chat received (messages, photos, documents)."""
    wanted = set(chat_ids)
    return Counter(e.chat_id for e in api.sent if e.method in SEND_METHODS and e.chat_id in wanted)


async def states(
    db: async_sessionmaker[AsyncSession], notice_id: int
) -> dict[int, tuple[DeliveryState, int]]:
    """chat id → (state, attempts) of every delivery of the notice."""
    async with db() as session:
        rows = await session.execute(
            select(Delivery.chat_id, Delivery.state, Delivery.attempts).where(
                Delivery.notice_id == notice_id
            )
        )
        return {chat: (DeliveryState(state), attempts) for chat, state, attempts in rows}
