"""Operations: start-up against a limited Bot API, forged buttons, the database under stress."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.emulator import FakeBotAPI, Fault
from bot.i18n import create_i18n
from bot.middlewares.commit_before_send import CommitBeforeSending
from bot.middlewares.db_session import SessionPerUpdate
from bot.middlewares.dedupe import DropHandledUpdates
from bot.middlewares.errors import ApologiseOnError
from storage import database, migrate
from storage.database import create_engine, create_sessionmaker
from storage.dialog_state import DatabaseStorage
from storage.group_commit import GroupCommit
from storage.models import HandledUpdate, utcnow
from tests.harness import ADMIN_ID, RunningBot

STALE = "Lựa chọn này không còn hiệu lực"
APOLOGY = "Xin lỗi"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 404, "raw_body": "404 page not found"},
        {"status": 400, "description": "Bad Request: method is not supported"},
    ],
    ids=["404-not-json", "400"],
)
async def test_start_up_goes_on_without_a_command_menu(
    api: FakeBotAPI, database_url: str, answer: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    """A Bot API server lacking setMyCommands: a warning, and the bot serves all the same."""
    api.faults.append(
        Fault(
            chat_id=None,
            method="setMyCommands",
            status=int(str(answer["status"])),
            description=str(answer.get("description", "")),
            raw_body=answer.get("raw_body"),  # type: ignore[arg-type]
            times=1_000,
        )
    )
    running = RunningBot(api, database_url)
    with caplog.at_level(logging.WARNING, logger="bot.commands"):
        await running.start()
    try:
        assert any("could not set the command menu" in r.getMessage() for r in caplog.records)
        user = api.user(555_001)
        await user.send("/start")
        await user.expect("/dangky")
    finally:
        await running.stop()


FORGED = [
    f"registration:approve:{2**64}",
    f"registration:reject:{-(2**70)}",
    f"staff_list:take:{2**64}",
    f"review:accept:{2**64}",
    f"review:revise:{2**40}",
    f"reopen:{2**64}",
    f"ntc:stop:{2**64}",
    f"ntc:details:{2**64}",
    f"sev:open:{2**64}:",
    f"sev:card:{2**64}:",
    f"ev:join:{2**64}",
    f"su:drop:{2**64}:{2**64}",
    f"deadline:{2**64}",
    f"deadlines:{2**64}",
    f"f:pick:{2**64}:x",
    f"ibo:{2**64}",
    f"iba:{2**64}",
    f"ibh:{2**64}",
    f"ibd:{2**64}",
    f"ibx:n:0:{2**64}:{2**64}::::",
    f"ibx:n:{2**64}:1:1::::",
    f"dlg:choose:{2**64}:{2**64}",
    f"dlg:back:{-(2**70)}:0",
]


async def test_forged_callback_ids_are_refused_like_stale_buttons(
    running: RunningBot, api: FakeBotAPI
) -> None:
    """Ids beyond the database's integer range: "no longer active", never an apology."""
    admin = api.user(ADMIN_ID, "Admin", "Sở")
    await admin.send("/start")
    reply = await admin.expect()
    assert reply.message is not None
    message = api.message(ADMIN_ID, reply.message["message_id"])
    assert message is not None
    for data in FORGED:
        start = len(api.sent)
        await admin.press_data(message, data)
        answer = await admin.expect()
        assert answer.method == "answerCallbackQuery", (data, answer)
        assert STALE in answer.text, (data, answer.text)
        assert all(APOLOGY not in e.text for e in admin.since(start)), data
    # A forged deadline (a timestamp) outside the dialog: no apology either.
    start = len(api.sent)
    await admin.press_data(message, f"nev:deadline:{10**30}")
    answer = await admin.expect()
    assert all(APOLOGY not in e.text for e in admin.since(start))


async def test_a_press_whose_handler_fails_is_answered_once_with_the_apology(
    running: RunningBot, api: FakeBotAPI
) -> None:
    """Presses are answered after their handler (CallbackAnswerMiddleware); when it fails, the
    one answer Telegram takes is the apology, not a silent one before it."""
    staff = api.user(ADMIN_ID, "Admin", "Sở")
    await staff.send("/sukien")
    await staff.expect("Lớp bồi dưỡng, hội nghị, hội thảo")
    api.faults.append(Fault(ADMIN_ID, "sendMessage", 400, "Bad Request: chat not found"))
    before = len(api.requests)
    await staff.press("Tạo sự kiện mới")  # its first question can't be sent
    apology = await staff.expect(APOLOGY)
    assert apology.method == "answerCallbackQuery" and apology.params.get("show_alert")
    answers = [m for m, _params in api.requests[before:] if m == "answerCallbackQuery"]
    assert answers == ["answerCallbackQuery"]
    await staff.press("Tạo sự kiện mới")  # nothing was lost: the same button works now
    await staff.expect("Đây là loại sự kiện nào")


async def test_a_write_lock_held_elsewhere_holds_up_only_what_writes(
    api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds SQLite's write lock: read-only commands are answered at once;
    a step that must write fails after the busy timeout with an apology that is true."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 6_000)
    path = tmp_path / "bot.db"
    running = RunningBot(api, f"sqlite+aiosqlite:///{path}")
    await running.start()
    # Another process, as far as SQLite is concerned: a connection of its own, used from a
    # thread so that waiting for the lock does not stop this event loop (and the bot).
    locker = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        admin = api.user(ADMIN_ID, "Admin", "Sở")
        await admin.send("/start")
        await admin.expect("quản trị viên")
        # The write lock, held until the ROLLBACK below.
        await asyncio.to_thread(locker.execute, "BEGIN IMMEDIATE")
        for command, answer in [("/start", "quản trị viên"), ("/help", "/phanquyen")]:
            started = time.monotonic()
            await admin.send(command)
            await admin.expect(answer, timeout=4)  # well before the 6 s busy timeout
            assert time.monotonic() - started < 4
        # A new user's /start stores them: that waits for the lock, then fails.
        guest = api.user(555_002)
        await guest.send("/start")
        apology = await guest.expect("Xin lỗi", timeout=30)
        assert "cơ sở dữ liệu đang bận" in apology.text and "chưa được lưu" in apology.text
        assert "giữ nguyên" not in apology.text
        await asyncio.to_thread(locker.execute, "ROLLBACK")
        await guest.send("/start")
        await guest.expect("/dangky")
    finally:
        locker.close()
        await running.stop()


async def test_handled_update_ids_count_only_while_recent(
    api: FakeBotAPI, database_url: str
) -> None:
    """Telegram may number updates again from lower after a week without any: a claim
    that old is no reason to drop an update; a redelivery within hours still is dropped."""
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        week_ago = utcnow() - timedelta(days=8)
        session.add_all(
            HandledUpdate(bot_id=api.bot_id, update_id=n, handled_at=week_ago) for n in range(1, 60)
        )
        session.add(
            HandledUpdate(
                bot_id=api.bot_id, update_id=500, handled_at=utcnow() - timedelta(hours=1)
            )
        )
        await session.commit()
    await engine.dispose()
    running = RunningBot(api, database_url)
    await running.start()
    try:
        user = api.user(555_003)
        await user.send("/start")  # update_id 1, as a week ago
        await user.expect("/dangky")
        api.number_updates_after(499)
        start = len(api.sent)
        redelivered = await user.send("/start")  # 500: handled an hour ago
        await api.wait_handled(redelivered)
        await user.send("/help")
        await user.expect("/dangky")
        assert [e.method for e in user.since(start)] == ["sendMessage"]  # /help's only
    finally:
        await running.stop()


async def test_the_apology_says_whether_anything_was_saved(api: FakeBotAPI, tmp_path: Path) -> None:
    """The real middlewares around two failing handlers: one fails after its step was
    committed (its question sent), one before anything was."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await migrate.upgrade(engine)
    sessions = create_sessionmaker(engine)
    writer = GroupCommit(engine)
    bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    bot.session.middleware(CommitBeforeSending())
    dispatcher = Dispatcher(storage=DatabaseStorage(sessions, cache=True))
    dispatcher.update.outer_middleware(ApologiseOnError(create_i18n("vi")))
    dispatcher.update.outer_middleware(SessionPerUpdate(sessions, writer))
    dispatcher.update.outer_middleware(DropHandledUpdates(sessions, single_consumer=True))
    router = Router()

    @router.message()
    async def step(message: Message, state: FSMContext) -> None:
        if message.text == "after":
            await state.set_state("Form:second")
            await message.answer("Câu hỏi 2")  # the state is committed before this
        raise RuntimeError("the handler failed")

    dispatcher.include_router(router)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        user = api.user(555_020)
        await user.send("before")
        nothing = await user.expect("Xin lỗi")
        assert "chưa được lưu" in nothing.text and "một phần" not in nothing.text
        await user.send("after")
        await user.expect("Câu hỏi 2")
        part = await user.expect("Xin lỗi")
        assert "một phần đã được lưu" in part.text
    finally:
        await dispatcher.stop_polling()
        await polling
        await writer.close()
        await bot.session.close()
        await engine.dispose()
