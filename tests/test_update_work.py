"""An update's staged claim and dialog state: committed with it, in groups, or not at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Chat, Message, Update
from aiogram.types import User as TelegramUser
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.middlewares.db_session import SessionPerUpdate
from bot.middlewares.dedupe import DropHandledUpdates
from bot.middlewares.user import LoadUser
from storage import migrate
from storage.database import create_engine, create_sessionmaker
from storage.dialog_state import DatabaseStorage
from storage.group_commit import GroupCommit
from storage.models import AuditEntry, DialogState, HandledUpdate, RegistrationStatus, User
from storage.staged_rows import StagedRows
from storage.user_cache import UserCache

BOT_ID = 42


@dataclass
class Stack:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    writer: GroupCommit
    storage: DatabaseStorage
    dispatcher: Dispatcher
    router: Router
    bot: Bot


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    """The update path of `bot.app` (long polling): cached dialog state, staged claims."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    sessions = create_sessionmaker(engine)
    writer = GroupCommit(engine)
    storage = DatabaseStorage(sessions, cache=True)
    dispatcher = Dispatcher(storage=storage, events_isolation=SimpleEventIsolation())
    dispatcher.update.outer_middleware(SessionPerUpdate(sessions, writer))
    dispatcher.update.outer_middleware(DropHandledUpdates(sessions, single_consumer=True))
    user_cache = UserCache(sessions)
    dispatcher.update.outer_middleware(LoadUser(frozenset(), user_cache))
    router = Router()
    dispatcher.include_router(router)
    bot = Bot(f"{BOT_ID}:not-used-no-request-is-made")
    yield Stack(engine, sessions, writer, storage, dispatcher, router, bot)
    user_cache.close()
    await bot.session.close()
    await writer.close()
    await engine.dispose()


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)


def update(update_id: int, user_id: int, text: str) -> Update:
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=TelegramUser(id=user_id, is_bot=False, first_name="Lan"),
            text=text,
        ),
    )


async def stored(stack: Stack, user_id: int) -> tuple[str | None, dict[str, object]]:
    """What a restarted process reads: a storage without a cache."""
    fresh = DatabaseStorage(stack.sessions)
    return await fresh.get_state(key(user_id)), await fresh.get_data(key(user_id))


async def claims(stack: Stack) -> int:
    await stack.writer.settled()  # a bare claim is committed after its update
    async with stack.sessions() as session:
        return await session.scalar(select(func.count()).select_from(HandledUpdate)) or 0


async def test_a_failed_update_leaves_the_dialog_as_it_was(stack: Stack) -> None:
    @stack.router.message()
    async def step(message: Message, state: FSMContext) -> None:
        await state.set_state("Form:second")
        await state.update_data(answer=message.text)
        if message.text == "boom":
            raise RuntimeError("the handler failed")

    await stack.dispatcher.feed_update(stack.bot, update(1, 7, "first"))
    assert await stored(stack, 7) == ("Form:second", {"answer": "first"})
    with pytest.raises(RuntimeError):
        await stack.dispatcher.feed_update(stack.bot, update(2, 7, "boom"))
    # Neither the cache nor the database took the failed step; its claim is not kept
    # either, so a redelivery would be handled.
    assert await stack.storage.get_data(key(7)) == {"answer": "first"}
    assert await stored(stack, 7) == ("Form:second", {"answer": "first"})
    assert await claims(stack) == 1


async def test_dialog_steps_of_many_users_share_commits(stack: Stack) -> None:
    @stack.router.message()
    async def step(message: Message, state: FSMContext) -> None:
        await state.set_state("Registration:unit")
        await state.update_data(full_name=message.text)

    users = range(100, 400)

    async def everybody_types(first_update_id: int, name: str) -> None:
        await asyncio.gather(
            *(
                stack.dispatcher.feed_update(stack.bot, update(n, user, f"{name} {user}"))
                for n, user in enumerate(users, start=first_update_id)
            )
        )

    await everybody_types(1, "Người")  # the bot meets them (reads their rows)
    batches, updates = stack.writer.batches, stack.writer.updates
    # (Another name: a step that changes nothing writes no dialog state.)
    await everybody_types(1001, "Bà")
    assert stack.writer.updates - updates == len(users)
    assert stack.writer.batches - batches < len(users) / 5  # grouped, not one commit each
    assert await claims(stack) == 2 * len(users)
    for user in users:
        assert await stored(stack, user) == ("Registration:unit", {"full_name": f"Bà {user}"})


async def test_a_known_users_dialog_step_also_goes_to_the_writer(stack: Stack) -> None:
    """The user's row comes from memory, merged into the session: that is no reason to
    give the step a transaction of its own."""
    async with stack.sessions() as session:
        session.add(User(id=7, full_name="Nguyễn Thị Lan", status=RegistrationStatus.APPROVED))
        await session.commit()

    @stack.router.message()
    async def step(message: Message, state: FSMContext, user: User | None) -> None:
        assert user is not None and user.full_name == "Nguyễn Thị Lan"
        await state.update_data(answer=message.text)

    await stack.dispatcher.feed_update(stack.bot, update(1, 7, "a"))  # reads the user
    before = stack.writer.updates
    await stack.dispatcher.feed_update(stack.bot, update(2, 7, "b"))  # from memory
    assert stack.writer.updates == before + 1
    assert await stored(stack, 7) == (None, {"answer": "b"})


async def test_a_handler_committing_itself_takes_the_staged_rows_along(stack: Stack) -> None:
    seen: list[int] = []

    @stack.router.message()
    async def submit(message: Message, state: FSMContext, session: AsyncSession) -> None:
        await state.set_state("Form:done")
        session.add(AuditEntry(actor_id=7, action="submitted", target=message.text))
        await session.commit()
        # Committed together: the claim and the state are already there.
        seen.append(await claims(stack))
        assert await stored(stack, 7) == ("Form:done", {})
        raise RuntimeError("fails after its commit")

    with pytest.raises(RuntimeError):
        await stack.dispatcher.feed_update(stack.bot, update(1, 7, "r-1"))
    assert seen == [1]
    # What was committed stays, and the cache agrees with the database.
    assert await stack.storage.get_state(key(7)) == "Form:done"
    assert await stored(stack, 7) == ("Form:done", {})


async def test_the_state_is_committed_with_what_the_handler_stored(stack: Stack) -> None:
    @stack.router.message()
    async def submit(message: Message, state: FSMContext, session: AsyncSession) -> None:
        session.add(AuditEntry(actor_id=7, action="submitted", target=message.text))
        await session.flush()
        await state.clear()

    await stack.dispatcher.feed_update(stack.bot, update(1, 7, "r-1"))
    # The handler's transaction carried the state: the writer was not used.
    assert stack.writer.updates == 0
    async with stack.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 0
    assert await claims(stack) == 1


async def test_the_same_update_twice_at_once_is_handled_once(stack: Stack) -> None:
    handled: list[int] = []

    @stack.router.message()
    async def step(message: Message) -> None:
        handled.append(message.message_id)

    await asyncio.gather(
        *(stack.dispatcher.feed_update(stack.bot, update(5, 7, "x")) for _ in "ab")
    )
    assert handled == [5]
    assert await claims(stack) == 1


async def test_one_bad_row_fails_its_own_update_only(stack: Stack) -> None:
    def rows(user_id: int, bot_id: int | None) -> StagedRows:
        staged = StagedRows()
        staged.claim(bot_id, user_id)  # type: ignore[arg-type]
        staged.set_dialog(f"k:{user_id}", state="S", data=None)
        return staged

    # NOT NULL is broken by the second one only; all three go to the writer at once.
    results = await asyncio.gather(
        stack.writer.commit(rows(1, BOT_ID)),
        stack.writer.commit(rows(2, None)),
        stack.writer.commit(rows(3, BOT_ID)),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], IntegrityError)
    async with stack.sessions() as session:
        keys = await session.scalars(select(DialogState.key).order_by(DialogState.key))
        assert list(keys) == ["k:1", "k:3"]
    assert await claims(stack) == 2


async def test_shutdown_lets_the_updates_under_way_finish_before_closing_the_storage(
    database_url: str,
) -> None:
    """aiogram closes the FSM storage on shutdown; an update still running then (with
    Redis) failed to release its user's lock."""
    from bot.app import create_application
    from bot.settings import load_settings

    settings = load_settings(database_url=database_url, admin_ids="", _env_file=None)
    app = await create_application(settings, f"{BOT_ID}:not-used-no-request-is-made")
    order: list[str] = []
    finish = asyncio.Event()

    async def held_back(handler: Any, event: Update, data: dict[str, Any]) -> None:
        # Innermost middleware: the update has its lock, dialog state and session.
        await finish.wait()
        order.append("update finished")

    async def close_storage() -> None:
        order.append("storage closed")

    app.dispatcher.update.outer_middleware(held_back)
    person = TelegramUser(id=5, is_bot=False, first_name="Lan")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=5, type="private"),
        from_user=person,
        text="Lan",
    )
    # As polling does: a task per update, of which aiogram keeps no public handle.
    task = asyncio.create_task(
        app.dispatcher.feed_update(app.bot, Update(update_id=1, message=message))
    )
    for _ in range(20):
        await asyncio.sleep(0)
    assert app.updates_under_way == {task}
    app.dispatcher.fsm.storage.close = close_storage  # type: ignore[method-assign]
    shutdown = asyncio.create_task(app.dispatcher.emit_shutdown(bot=app.bot))
    for _ in range(20):
        await asyncio.sleep(0)
    assert order == []  # shutdown waits for the update
    finish.set()
    await shutdown
    assert order[:2] == ["update finished", "storage closed"]
    await app.close()


async def test_the_writer_refuses_rows_once_closed(stack: Stack) -> None:
    staged = StagedRows()
    staged.claim(BOT_ID, 1)
    await stack.writer.commit(staged)
    await stack.writer.close()
    late = StagedRows()
    late.claim(BOT_ID, 2)
    with pytest.raises(RuntimeError, match="closed"):
        await stack.writer.commit(late)
    assert await claims(stack) == 1
