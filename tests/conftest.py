"""Fixtures: a migrated database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), the fake
Bot API, and the running bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI
from bot.i18n import compile_catalogues
from bot.zalo.fake import FakeZaloAPI
from storage.database import create_engine, create_sessionmaker
from tests.harness import RunningBot

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")

compile_catalogues()


def _backends() -> list[object]:
    reason = "TEST_DATABASE_URL is not set (no PostgreSQL server to test against)"
    return [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=reason)),
    ]


async def _fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=_backends())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        assert POSTGRES_URL
        await _fresh_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


async def _fresh_redis(url: str) -> None:
    from redis.asyncio import Redis

    async with Redis.from_url(url) as redis:
        await redis.flushdb()


@pytest.fixture
async def running(api: FakeBotAPI, database_url: str) -> AsyncIterator[RunningBot]:
    """The bot polling the fake Bot API; on PostgreSQL with dialog state in Redis when there is one
    (the grown set-up), on SQLite with dialog state in the database (the embedded one)."""
    extra = {}
    if database_url.startswith("postgresql") and REDIS_URL:
        await _fresh_redis(REDIS_URL)
        extra["redis_url"] = REDIS_URL
    bot = RunningBot(api, database_url, **extra)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def sessionmaker(running: RunningBot) -> async_sessionmaker[AsyncSession]:
    assert running.app is not None
    return running.app.sessionmaker


@pytest.fixture
def db(running: RunningBot) -> async_sessionmaker[AsyncSession]:
    """A session factory on the bot's own database, for assertions."""
    assert running.app is not None
    return create_sessionmaker(running.app.engine)


@pytest.fixture
async def zalo_api() -> AsyncIterator[FakeZaloAPI]:
    server = FakeZaloAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def both(
    api: FakeBotAPI, zalo_api: FakeZaloAPI, database_url: str
) -> AsyncIterator[RunningBot]:
    """The bot serving Telegram and Zalo in one process (each against its fake API)."""
    extra = {}
    if database_url.startswith("postgresql") and REDIS_URL:
        await _fresh_redis(REDIS_URL)
        extra["redis_url"] = REDIS_URL
    bot = RunningBot(api, database_url, zalo_api, **extra)
    await bot.start()
    yield bot
    await bot.stop()
