"""Users in memory (long polling): served without SQL, never staler than the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage import migrate
from storage.database import create_engine, create_sessionmaker
from storage.models import RegistrationStatus, Role, User
from storage.user_cache import UserCache


@dataclass
class Cached:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cache: UserCache
    selects: list[str]

    async def get(self, user_id: int) -> User | None:
        async with self.sessions() as session:
            return await self.cache.get(session, user_id)


@pytest.fixture
async def cached(database_url: str) -> AsyncIterator[Cached]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = create_sessionmaker(engine)
    selects: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "users" in statement:
            selects.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    async with sessions() as session:
        session.add(User(id=1, full_name="Nguyễn Thị Lan", role=Role.OFFICER))
        await session.commit()
    cache = UserCache(sessions)
    yield Cached(engine, sessions, cache, selects)
    cache.close()
    await engine.dispose()


async def test_a_user_read_once_is_served_from_memory(cached: Cached) -> None:
    first = await cached.get(1)
    assert first is not None and first.full_name == "Nguyễn Thị Lan"
    assert await cached.get(2) is None  # nobody: remembered too
    before = len(cached.selects)
    again = await cached.get(1)
    assert await cached.get(2) is None
    assert len(cached.selects) == before
    assert again is not None and again is not first and again.full_name == "Nguyễn Thị Lan"


async def test_a_handler_may_change_the_row_it_was_given(cached: Cached) -> None:
    await cached.get(1)
    async with cached.sessions() as session:
        user = await cached.cache.get(session, 1)
        assert user is not None
        user.locale = "en"
        await session.commit()
    async with cached.sessions() as session:
        assert (await session.get(User, 1)).locale == "en"  # type: ignore[union-attr]
    refreshed = await cached.get(1)
    assert refreshed is not None and refreshed.locale == "en"


@pytest.mark.parametrize(
    "change",
    ["orm", "update statement", "text statement", "new row"],
)
async def test_any_write_to_users_is_seen_by_the_next_update(cached: Cached, change: str) -> None:
    await cached.get(1)
    await cached.get(2)
    async with cached.sessions() as session:
        if change == "orm":
            row = await session.get(User, 1)
            assert row is not None
            row.status = RegistrationStatus.APPROVED
        elif change == "update statement":
            await session.execute(
                update(User).where(User.id == 1).values(status=RegistrationStatus.APPROVED)
            )
        elif change == "text statement":
            await session.execute(text("UPDATE users SET status = 'approved' WHERE id = 1"))
        else:
            session.add(User(id=2, full_name="Trần Văn An", status=RegistrationStatus.APPROVED))
        await session.commit()
    if change == "new row":
        new = await cached.get(2)
        assert new is not None and new.status is RegistrationStatus.APPROVED
    else:
        changed = await cached.get(1)
        assert changed is not None and changed.status is RegistrationStatus.APPROVED


async def test_a_row_read_while_a_write_is_under_way_is_not_kept(cached: Cached) -> None:
    """A reader between a writer's UPDATE and its COMMIT sees the old row; it must not
    stay in memory after the commit."""
    async with cached.sessions() as writer:
        await writer.execute(update(User).where(User.id == 1).values(role=Role.STAFF))
        await writer.flush()
        # What the database still says to everybody else: an officer.
        async with cached.sessions() as reader:
            meanwhile = await reader.get(User, 1)
            assert meanwhile is not None and meanwhile.role is Role.OFFICER
        old = await cached.get(1)
        assert old is not None
        await writer.commit()
    now = await cached.get(1)
    assert now is not None and now.role is Role.STAFF


async def test_a_rolled_back_write_leaves_the_cache_right(cached: Cached) -> None:
    await cached.get(1)
    async with cached.sessions() as session:
        row = await session.get(User, 1)
        assert row is not None
        row.full_name = "Tên sai"
        await session.flush()
        await session.rollback()
    user = await cached.get(1)
    assert user is not None and user.full_name == "Nguyễn Thị Lan"
