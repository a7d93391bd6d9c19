"""What the bot owes people arrives: staff cards, decisions and confirmations go through the
outbox (rows committed with the change, sent and retried by the worker, resumed after a crash),
and when one reviewer acts, the cards in the other reviewers' chats say so and lose their
buttons."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import prepare_database
from bot.broadcast.worker import BroadcastWorker
from bot.emulator import FakeBotAPI, Fault, Sent
from bot.settings import load_settings
from storage.database import create_engine, create_sessionmaker
from storage.models import DeliveryState, OwedMessage, RegistrationStatus, Role, User, utcnow
from tests.e2e.broadcasting import quick
from tests.e2e.flows import approve, register, registered_officer
from tests.e2e.test_forms import fill_activity_report
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]
ROOT = Path(__file__).resolve().parents[2]
STAFF_ID = 900_002
PENDING = (DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.SENDING)


def worker(running: RunningBot) -> BroadcastWorker:
    assert running.app is not None
    found = running.app.dispatcher["broadcasts"]
    assert isinstance(found, BroadcastWorker)
    return found


async def owed_rows(db: Db, kind: str) -> list[OwedMessage]:
    async with db() as session:
        rows = await session.scalars(
            select(OwedMessage).where(OwedMessage.kind == kind).order_by(OwedMessage.id)
        )
        return list(rows)


async def settled(db: Db, kind: str, count: int = 1, timeout: float = 10) -> list[OwedMessage]:
    """The rows of `kind` once `count` of them are settled (the worker records an answer just
    after Telegram gave it)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await owed_rows(db, kind)
        done = [r for r in rows if r.state not in PENDING]
        if len(done) >= count or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.02)


async def add_staff(db: Db, user_id: int = STAFF_ID) -> None:
    """A department staff member who is not an admin (granting has its own tests)."""
    async with db() as session:
        session.add(
            User(
                id=user_id,
                full_name="Trần Chuyên Viên",
                role=Role.STAFF,
                status=RegistrationStatus.APPROVED,
                registered_at=utcnow(),
                decided_at=utcnow(),
            )
        )
        await session.commit()


def cards(api: FakeBotAPI, chat_id: int, contains: str, after: int = 0) -> list[Sent]:
    return [
        e
        for e in api.sent[after:]
        if e.chat_id == chat_id and e.method == "sendMessage" and contains in e.text
    ]


async def test_a_500_on_the_staff_card_is_retried_and_the_card_arrives(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    quick(worker(running))
    lan = await registered_officer(api, 3101)
    await fill_activity_report(lan, attach=False)
    # Telegram fails twice on the admin's card; before the outbox the card was lost for good
    # while the officer was told the department knew.
    api.faults.append(Fault(ADMIN_ID, "sendMessage", 500, "Internal Server Error", times=2))
    await lan.press("Gửi")
    sent = await lan.expect("Đã gửi. Mã số")
    reference = sent.text.split("<b>")[1].split("</b>")[0]
    card = await api.wait_for(
        lambda e: e.chat_id == ADMIN_ID and e.method == "sendMessage" and reference in e.text
    )
    assert "Đã tiếp nhận" in " ".join(card.buttons)
    [row] = await settled(db, "submission.card")
    assert row.state is DeliveryState.SENT and row.failures == 2 and row.attempts == 3
    assert row.message_id == card.message["message_id"]  # type: ignore[index]
    assert len(cards(api, ADMIN_ID, reference)) == 1


async def test_a_blocked_reviewer_is_given_up_on_and_the_others_get_theirs(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await add_staff(db)
    api.faults.append(
        Fault(STAFF_ID, "sendMessage", 403, "Forbidden: bot was blocked by the user", times=5)
    )
    lan = api.user(3102)
    await register(lan)
    await approve(api, lan)
    [blocked] = [r for r in await settled(db, "registration.card", 2) if r.chat_id == STAFF_ID]
    assert blocked.state is DeliveryState.UNREACHABLE and blocked.attempts == 1
    [decision] = await settled(db, "registration.decision")
    assert decision.chat_id == lan.id and decision.state is DeliveryState.SENT


async def test_when_one_reviewer_acts_the_other_cards_say_so_and_lose_their_buttons(
    api: FakeBotAPI, running: RunningBot, db: Db
) -> None:
    await add_staff(db)
    staff = api.user(STAFF_ID, "Chuyên Viên", "Trần")
    admin = api.user(ADMIN_ID, "Admin", "Sở")

    # A registration: staff who are not admins are told too.
    lan = api.user(3103)
    await register(lan)
    staff_card = await api.wait_for(
        lambda e: e.chat_id == STAFF_ID and "Đăng ký mới" in e.text and bool(e.buttons)
    )
    # The staff member also lists the registrations waiting (/duyet): another copy.
    before = len(api.sent)
    await staff.send("/duyet")
    listed = await api.wait_for(
        lambda e: e.chat_id == STAFF_ID and "(ID 3103)" in e.text, after=before
    )
    await approve(api, lan)  # the admin presses Duyệt on their own copy
    assert listed.message is not None
    relisted = await api.wait_for(
        lambda e: (
            e.chat_id == STAFF_ID
            and e.method == "editMessageText"
            and e.params["message_id"] == listed.message["message_id"]
        )  # type: ignore[index]
    )
    assert "Admin Sở đã duyệt lúc" in relisted.text and not relisted.buttons
    edited = await api.wait_for(
        lambda e: (
            e.chat_id == STAFF_ID
            and e.method == "editMessageText"
            and e.params["message_id"] == staff_card.message["message_id"]
        )  # type: ignore[index]
    )
    assert "Admin Sở đã duyệt lúc" in edited.text and "Nguyễn Thị Lan" in edited.text
    assert not edited.buttons  # the buttons are gone
    # The admin taps Duyệt again on the card already edited: done, not an error.
    admin_card = cards(api, ADMIN_ID, "Đăng ký mới")[-1]
    assert admin_card.message is not None
    message = api.message(ADMIN_ID, admin_card.message["message_id"])
    assert message is not None and not message.get("reply_markup")
    before = len(api.sent)
    await admin.press_data(
        message, admin_card.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    alert = await api.wait_for(lambda e: e.method == "answerCallbackQuery", after=before)
    assert "đã được duyệt trước đó" in alert.text
    await admin.send("/help")
    await admin.expect("Các lệnh")
    assert not any("Xin lỗi" in e.text for e in api.sent[before:])

    # A submission: each reviewer gets the card; the staff member accepts it.
    await fill_activity_report(lan, attach=False)
    await lan.press("Gửi")
    sent = await lan.expect("Đã gửi. Mã số")
    reference = sent.text.split("<b>")[1].split("</b>")[0]
    await api.wait_for(lambda e: e.chat_id == STAFF_ID and reference in e.text and bool(e.buttons))
    admins = await api.wait_for(
        lambda e: e.chat_id == ADMIN_ID and reference in e.text and bool(e.buttons)
    )
    await staff.press("Đã tiếp nhận")
    await lan.expect(f"đã tiếp nhận hồ sơ {reference}")
    closed = await api.wait_for(
        lambda e: (
            e.chat_id == ADMIN_ID
            and e.method == "editMessageText"
            and e.params["message_id"] == admins.message["message_id"]
        )  # type: ignore[index]
    )
    assert "đã tiếp nhận lúc" in closed.text and reference in closed.text
    assert not closed.buttons
    # The staff member's own card lost its buttons at once, and was not edited twice.
    [*_rest, staff_copy] = cards(api, STAFF_ID, reference)
    assert staff_copy.message is not None
    own = api.message(STAFF_ID, staff_copy.message["message_id"])
    assert own is not None and not own.get("reply_markup")
    # A press on the admin's old copy (a stale button) is refused politely.
    assert admins.message is not None
    before = len(api.sent)
    await admin.press_data(
        admins.message, admins.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    alert = await api.wait_for(lambda e: e.method == "answerCallbackQuery", after=before)
    assert "đã được xử lý" in alert.text


async def start_bot(api: FakeBotAPI, database_url: str, tmp: Path) -> asyncio.subprocess.Process:
    """`python -m bot run`, as in production, against the fake Bot API."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "BROADCAST_LEASE": "3",  # a dead worker's rows are taken back 3 s later
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp, env=env, stdout=asyncio.subprocess.DEVNULL
    )


async def test_a_kill_9_between_the_commit_and_the_send_delays_the_card_never_loses_it(
    api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    settings = load_settings(database_url=database_url, _env_file=None)
    engine = create_engine(database_url)
    await prepare_database(settings, engine)
    db = create_sessionmaker(engine)
    lan = api.user(3104)
    # The card's request hangs at Telegram: whatever the timing, it can't arrive before the kill.
    api.faults.append(Fault(ADMIN_ID, "sendMessage", 500, "slow", delay=30))
    process = await start_bot(api, database_url, tmp_path)
    try:
        await api.wait_polling(timeout=60)  # a process starting on a busy machine
        await lan.send("/dangky")
        await lan.expect("Họ và tên của bạn")
        await lan.send("Nguyễn Thị Lan")
        await lan.expect("xã, phường nào")
        await lan.send("cau giay")
        await lan.expect("Bấm chọn đơn vị")
        await lan.press("Phường Cầu Giấy")
        await lan.expect("Chức vụ của bạn")
        await lan.send("Công chức")
        await lan.expect("Số điện thoại để Sở liên hệ")
        await lan.share_contact("84912345678")
        await lan.expect("Vui lòng kiểm tra thông tin đăng ký")
        before = len(api.sent)
        await lan.press("Gửi")
        # The answer to the press comes right after the commit: kill the process there.
        await api.wait_for(
            lambda e: e.method == "answerCallbackQuery" and e.chat_id == lan.id, after=before
        )
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(process.wait(), 30) == -signal.SIGKILL
        assert not cards(api, ADMIN_ID, "Đăng ký mới")  # never reached the admin
        async with db() as session:
            card = await session.scalar(
                select(OwedMessage).where(OwedMessage.kind == "registration.card")
            )
        assert card is not None and card.state is not DeliveryState.SENT

        api.faults.clear()
        process = await start_bot(api, database_url, tmp_path)
        arrived = await api.wait_for(
            lambda e: e.chat_id == ADMIN_ID and "Đăng ký mới" in e.text, timeout=30
        )
        assert "(ID 3104)" in arrived.text and arrived.buttons
        await api.wait_for(lambda e: e.chat_id == lan.id and "Đã gửi đăng ký" in e.text)
        assert len(cards(api, ADMIN_ID, "Đăng ký mới")) == 1
        async with db() as session:
            user = await session.get(User, lan.id)
        assert user is not None and user.status is RegistrationStatus.PENDING
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()
        await engine.dispose()
