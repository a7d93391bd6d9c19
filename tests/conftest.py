"""Fixtures: a migrated database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), the fake
Bot API, and the running bot."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import FakeBotAPI
from bot.i18n import compile_catalogues
from bot.zalo.fake import FakeZaloAPI
from storage import migrate
from storage.database import create_engine, create_sessionmaker
from storage.models import Base
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


@functools.cache
def _head() -> set[str]:
    return set(ScriptDirectory.from_config(migrate.alembic_config()).get_heads())


async def _emptied_at_head(url: str) -> bool:
    """Empty every table of a database the migrations left at head (the last test's), as a
    freshly migrated one is; False (nothing done) when it is not exactly that."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            if tables != set(Base.metadata.tables) | {"alembic_version"}:
                return False
            versions = await connection.scalars(text("SELECT version_num FROM alembic_version"))
            if set(versions) != _head():
                return False
            # DELETE, not TRUNCATE: on a test's few rows a tenth of the time (TRUNCATE makes
            # new files for every table and syncs them at commit).
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
            sequences = await connection.scalars(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = 'public'"
                )
            )
            for sequence in list(sequences):
                await connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
            return True
    finally:
        await engine.dispose()


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


_sqlite_template: list[Path] = []


async def _migrated_sqlite(path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A copy of one SQLite file migrated once for the whole run."""
    if not _sqlite_template:
        template = tmp_path_factory.mktemp("template") / "migrated.db"
        await _migrated(f"sqlite+aiosqlite:///{template}")
        _sqlite_template.append(template)
    shutil.copyfile(_sqlite_template[0], path)


@pytest.fixture(params=_backends())
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """An empty database. A test that runs the bot (`running`, `both`) gets it migrated, as the
    bot's start-up would leave it, from a template: applying every migration for every
    test took most of a test's set-up. The bot still migrates at start-up (finding nothing
    to do); the migrations themselves are tested from empty (tests/test_migrations.py)."""
    migrated = not {"running", "both"}.isdisjoint(request.fixturenames)
    if request.param == "postgresql":
        assert POSTGRES_URL
        if not (migrated and await _emptied_at_head(POSTGRES_URL)):
            await _fresh_postgres(POSTGRES_URL)
            if migrated:
                await _migrated(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "bot.db"
    if migrated:
        await _migrated_sqlite(path, tmp_path_factory)
    return f"sqlite+aiosqlite:///{path}"


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
