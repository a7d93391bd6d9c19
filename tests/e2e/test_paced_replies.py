"""Replies under Telegram's 429s and 5xx, and beside a broadcast at full speed: every Bot API call
obeys retry_after and retries brief failures, and one pace covers everything the bot sends,
with replies to people ahead of the notices' copies."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.broadcast.owed import owe_text
from bot.emulator import FakeBotAPI, Fault, Sent
from storage.database import create_sessionmaker
from storage.repositories.broadcasts import enqueue_notice
from tests.e2e.broadcasting import add_officers, copies, unit_code
from tests.harness import ADMIN_ID, RunningBot

Db = async_sessionmaker[AsyncSession]


@pytest.fixture
async def paced(api: FakeBotAPI, database_url: str) -> AsyncIterator[RunningBot]:
    """The bot at Telegram's pace (the other tests' harness lifts it: see tests.harness)."""
    bot = RunningBot(api, database_url, telegram_rate=30, telegram_chat_interval=1)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.mark.parametrize(
    ("status", "retry_after", "times"),
    [(429, 1, 1), (500, None, 2), (502, None, 1)],
    ids=["429", "500-twice", "502"],
)
async def test_a_reply_refused_for_a_moment_still_arrives(
    api: FakeBotAPI, running: RunningBot, status: int, retry_after: int | None, times: int
) -> None:
    lan = api.user(4101)
    fault = Fault(lan.id, "sendMessage", status, "refused", retry_after=retry_after, times=times)
    api.faults.append(fault)
    await lan.send("/start")
    await lan.expect("Xin chào")
    assert fault.times == 0  # it was refused first
    await lan.send("/help")
    await lan.expect("Các lệnh")
    assert not any("Xin lỗi" in e.text for e in lan.since(0))  # no apology: it was answered


async def test_a_long_429_is_not_waited_out_forever(api: FakeBotAPI, running: RunningBot) -> None:
    lan = api.user(4102)
    api.faults.append(
        Fault(lan.id, "sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600)
    )
    await lan.send("/start")
    # The greeting was given up on at once (a bounded wait); the apology came through.
    await lan.expect("Xin lỗi")


async def test_a_broadcast_at_full_rate_does_not_starve_the_dialogs(
    api: FakeBotAPI, paced: RunningBot
) -> None:
    running = paced
    assert running.app is not None
    db = create_sessionmaker(running.app.engine)
    api.flood_limit = 30  # Telegram's flood control: 429 above 30 messages in any second
    people = await add_officers(db, unit_code(running.app.units, "cau giay"), 710_000, 150)
    async with db() as session:
        await enqueue_notice(session, created_by=ADMIN_ID, text="Thông báo", recipients=people)
        await session.commit()
    running.app.dispatcher["broadcasts"].wake()
    # The broadcast is under way at BROADCAST_RATE (25/s, six seconds for 150)...
    await api.wait_for(lambda e: e.chat_id == people[29] and e.method == "sendMessage")
    # ...when 20 people write at once.
    strangers = [api.user(4200 + n) for n in range(20)]
    for person in strangers:
        await person.send("/start")
    greetings = [await person.expect("Xin chào") for person in strangers]
    # Every one answered, ahead of the copies still waiting: the broadcast is not over.
    last = max(g.seq for g in greetings)
    assert len(copies(api, people)) < len(people)
    assert all(not any("Xin lỗi" in e.text for e in p.since(0)) for p in strangers)
    # And the broadcast goes on to the end, each officer once.
    await api.wait_for(lambda e: e.chat_id == people[-1] and e.method == "sendMessage")
    assert set(copies(api, people).values()) == {1}
    assert last < max(e.seq for e in api.sent if e.chat_id == people[-1])


@pytest.mark.parametrize("interval", [0.3, 0.0])
async def test_messages_owed_to_one_chat_go_one_at_a_time_in_order_and_spaced(
    api: FakeBotAPI, database_url: str, interval: float
) -> None:
    """TELEGRAM_CHAT_INTERVAL apart, counted from Telegram's answer to the one before; and
    one request at a time, so that even without a wait they arrive in the order queued."""
    api.latency = 0.05
    asked: dict[int, list[tuple[str, float]]] = {}
    answered: dict[int, list[float]] = {}
    original = api._fault_for

    def timed(method: str, params: dict[str, Any]) -> Fault | None:
        if method == "sendMessage":
            asked.setdefault(params["chat_id"], []).append((params["text"], time.monotonic()))
        return original(method, params)

    def done(event: Sent) -> None:
        if event.method == "sendMessage" and event.chat_id is not None:
            answered.setdefault(event.chat_id, []).append(time.monotonic())

    api._fault_for = timed  # type: ignore[method-assign]
    api.on_sent.append(done)
    bot = RunningBot(api, database_url, telegram_chat_interval=interval)
    await bot.start()
    try:
        assert bot.app is not None
        db = create_sessionmaker(bot.app.engine)
        lan, binh = 4301, 4302
        async with db() as session:  # queued in one go, the two chats interleaved
            for n in range(1, 5):
                owe_text(session, lan, f"Lan {n}", kind="test")
                if n <= 2:
                    owe_text(session, binh, f"Bình {n}", kind="test")
            await session.commit()
        await api.wait_for(lambda e: e.chat_id == lan and e.text == "Lan 4", timeout=20)
        await api.wait_for(lambda e: e.chat_id == binh and e.text == "Bình 2", timeout=20)
    finally:
        await bot.stop()
    assert [text for text, _ in asked[lan]] == ["Lan 1", "Lan 2", "Lan 3", "Lan 4"]
    assert [text for text, _ in asked[binh]] == ["Bình 1", "Bình 2"]
    for chat in (lan, binh):
        starts = [at for _, at in asked[chat]]
        for answer, next_start in zip(answered[chat], starts[1:], strict=False):
            assert next_start - answer >= interval
    if interval:  # the other chat did not wait for Lan's spacing: Bình 2 went before Lan 3
        assert asked[binh][1][1] < asked[lan][2][1]
