"""The worker's process is killed (SIGKILL) in the middle of a broadcast, then started again.

The kill comes from the fake Bot API at the instant it delivers the K-th copy, before
its answer leaves: that recipient has the notice, but the dead worker never heard so.
After the restart nobody may get a second copy, nobody may be left out, and that
one recipient must be reported as unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import prepare_database
from bot.emulator import FakeBotAPI, Sent
from bot.settings import load_settings
from storage.database import create_engine, create_sessionmaker
from storage.models import DeliveryState
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, copies, states, unit_code
from tests.harness import ADMIN_ID

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 60
KILL_AT = 20  # copies delivered when the process dies


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def start_bot(api: FakeBotAPI, database_url: str, tmp: Path) -> asyncio.subprocess.Process:
    """`python -m bot run`, as in production, against the fake Bot API."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "BROADCAST_RATE": "20",
        "BROADCAST_LEASE": "3",  # a dead worker's rows are recovered 3 s later
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp, env=env, stdout=asyncio.subprocess.DEVNULL
    )


async def test_kill_9_mid_broadcast_then_restart(
    api: FakeBotAPI, database_url: str, db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    settings = load_settings(database_url=database_url, _env_file=None)
    engine = create_engine(database_url)
    units = await prepare_database(settings, engine)
    await engine.dispose()
    people = await add_officers(db, unit_code(units, "cau giay"), 700_000, RECIPIENTS)
    async with db() as session:
        notice = await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text="Thông báo",
            recipients=people,
            report_chat_id=ADMIN_ID,
        )
        await session.commit()

    api.latency = 0.02  # a few requests in flight at any moment
    process = await start_bot(api, database_url, tmp_path)
    delivered: list[int] = []

    def kill_at_the_kth(event: Sent) -> None:
        if event.method == "sendMessage" and event.chat_id in people:
            delivered.append(event.chat_id)
            if len(delivered) == KILL_AT:
                process.send_signal(signal.SIGKILL)  # before this request is answered

    api.on_sent.append(kill_at_the_kth)
    try:
        assert await asyncio.wait_for(process.wait(), 30) == -signal.SIGKILL
        in_flight = delivered[KILL_AT - 1]
        before = await states(db, notice.id)
        assert before[in_flight][0] is DeliveryState.SENDING  # delivered, but not recorded

        process = await start_bot(api, database_url, tmp_path)
        await api.wait_for(
            lambda e: e.chat_id == ADMIN_ID and "Đã gửi xong thông báo" in e.text, timeout=30
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()

    after = await states(db, notice.id)
    got = copies(api, people)
    assert len(after) == RECIPIENTS and max(got.values()) == 1  # nobody twice
    assert after[in_flight][0] is DeliveryState.UNKNOWN  # reported as such, not resent
    for chat, (state, _) in after.items():
        # Nobody skipped: every row ended sent (one copy), or unknown (one copy or none).
        assert state in (DeliveryState.SENT, DeliveryState.UNKNOWN), (chat, state)
        if state is DeliveryState.SENT:
            assert got[chat] == 1
