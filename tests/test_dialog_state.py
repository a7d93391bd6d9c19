"""Dialog state in the database: survives, and loses nothing under concurrent updates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Chat, Message, Update
from aiogram.types import User as TelegramUser
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import migrate
from storage.database import create_engine, create_sessionmaker
from storage.dialog_state import DatabaseStorage
from storage.models import DialogState

BOT_ID = 42


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)


async def test_state_and_data_round_trip(sessions: async_sessionmaker[AsyncSession]) -> None:
    storage = DatabaseStorage(sessions)
    assert await storage.get_state(key(1)) is None
    assert await storage.get_data(key(1)) == {}
    await storage.set_state(key(1), "Registration:unit")
    await storage.set_data(key(1), {"full_name": "Nguyễn Thị Lan", "n": 3})
    # A new storage object (a restarted process) sees the same dialog.
    again = DatabaseStorage(sessions)
    assert await again.get_state(key(1)) == "Registration:unit"
    assert await again.get_data(key(1)) == {"full_name": "Nguyễn Thị Lan", "n": 3}
    await again.set_state(key(1), None)
    await again.set_data(key(1), {})
    assert await storage.get_state(key(1)) is None
    assert await storage.get_data(key(1)) == {}


async def test_many_tasks_hammering_one_new_key_lose_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """3,000 writes race to create and update one key: none fails, the row is one of them."""
    storage = DatabaseStorage(sessions)
    target = key(7)
    writes = 3_000

    async def write(i: int) -> None:
        if i % 2:
            await storage.set_state(target, f"S:{i}")
        else:
            await storage.set_data(target, {"i": i})

    results = await asyncio.gather(*(write(i) for i in range(writes)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    state = await storage.get_state(target)
    data = await storage.get_data(target)
    assert state is not None and int(state.split(":")[1]) % 2 == 1
    assert data["i"] % 2 == 0
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 1


async def test_many_new_keys_at_once_are_all_stored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(sessions)
    users = range(1_000, 2_000)
    results = await asyncio.gather(
        *(storage.set_state(key(u), "Registration:full_name") for u in users),
        *(storage.set_data(key(u), {"user": u}) for u in users),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    for u in users:
        assert await storage.get_state(key(u)) == "Registration:full_name"
        assert await storage.get_data(key(u)) == {"user": u}


async def test_concurrent_updates_of_one_user_through_the_dispatcher_count_every_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Each update adds one to a counter in the dialog data; all arrive at once."""
    router = Router()

    @router.message()
    async def count(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        await state.update_data(count=data.get("count", 0) + 1)

    dispatcher = Dispatcher(
        storage=DatabaseStorage(sessions), events_isolation=SimpleEventIsolation()
    )
    dispatcher.include_router(router)
    bot = Bot(f"{BOT_ID}:not-used-no-request-is-made")
    person = TelegramUser(id=5, is_bot=False, first_name="Lan")
    chat = Chat(id=5, type="private")
    updates = [
        Update(
            update_id=i,
            message=Message(
                message_id=i, date=datetime.now(UTC), chat=chat, from_user=person, text=str(i)
            ),
        )
        for i in range(1, 501)
    ]
    await asyncio.gather(*(dispatcher.feed_update(bot, update) for update in updates))
    assert await dispatcher.storage.get_data(key(5)) == {"count": 500}
    await bot.session.close()
