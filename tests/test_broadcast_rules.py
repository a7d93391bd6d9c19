"""The broadcast engine's plain parts: pacing, what an error means, the send time, the bar."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot.broadcast.outcome import Backoff, Verdict, judge
from bot.broadcast.pacing import ChatSpacing, Pacer, SendWindow
from bot.broadcast.schedule import parse_send_time
from bot.domain.text import Text
from bot.i18n import create_i18n
from tests.harness import NOW

METHOD = SendMessage(chat_id=1, text="x")


class FakeTime:
    """A monotonic clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_the_pacer_spaces_sends_evenly_at_the_rate() -> None:
    time = FakeTime()
    pacer = Pacer(25, monotonic=time.monotonic, sleep=time.sleep)
    start = time.now
    for _ in range(251):
        await pacer.acquire()
    assert time.now - start == pytest.approx(10.0)  # 250 intervals of 40 ms
    assert max(time.sleeps) == pytest.approx(0.04)


async def test_a_late_wake_up_keeps_the_grid_but_an_idle_pacer_does_not_burst() -> None:
    time = FakeTime()
    pacer = Pacer(10, monotonic=time.monotonic, sleep=time.sleep)
    await pacer.acquire()
    time.now += 0.13  # 30 ms late for the second slot: it goes at once, the grid is kept
    await pacer.acquire()
    await pacer.acquire()
    assert time.now == pytest.approx(1000.2)
    time.now += 5  # idle: no catching up with a burst
    await pacer.acquire()
    before = time.now
    await pacer.acquire()
    assert time.now - before == pytest.approx(0.1)


async def test_a_pause_holds_every_send_back() -> None:
    time = FakeTime()
    pacer = Pacer(30, monotonic=time.monotonic, sleep=time.sleep)
    await pacer.acquire()
    pacer.pause(3)
    await pacer.acquire()
    assert time.now == pytest.approx(1003.0)


async def test_the_send_window_keeps_any_second_within_the_limit() -> None:
    time = FakeTime()
    window = SendWindow(30, margin=0.04, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(30):  # a burst (a slow commit bunched them): the first 30 go at once
        await window.acquire()
    assert time.now == 1000.0
    await window.acquire()  # the 31st waits until the first is a second (and a bit) old
    assert time.now == pytest.approx(1001.04)


async def test_a_reply_goes_before_a_copy_already_waiting_in_the_send_window() -> None:
    class Yielding(FakeTime):
        async def sleep(self, seconds: float) -> None:
            for _ in range(3):  # others may run meanwhile, as with a real sleep
                await asyncio.sleep(0)
            await super().sleep(seconds)

    time = Yielding()
    window = SendWindow(1, margin=0.0, monotonic=time.monotonic, sleep=time.sleep)
    await window.acquire()  # the window is full for a second
    order: list[str] = []

    async def take(name: str, urgent: bool) -> None:
        await window.acquire(urgent=urgent)
        order.append(name)

    copy = asyncio.create_task(take("copy", False))
    await asyncio.sleep(0)  # the copy waits first
    await asyncio.gather(copy, take("reply", True))
    assert order == ["reply", "copy"]


def test_one_message_a_second_per_chat() -> None:
    time = FakeTime()
    spacing = ChatSpacing(monotonic=time.monotonic)
    assert spacing.wait_for(7) == 0
    spacing.mark(7)
    time.now += 0.25
    assert spacing.wait_for(7) == pytest.approx(0.75) and spacing.wait_for(8) == 0


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TelegramRetryAfter(METHOD, "Too Many Requests", 7), Verdict.RETRY_AFTER),
        (
            TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"),
            Verdict.UNREACHABLE,
        ),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), Verdict.FAILED),
        (TelegramServerError(METHOD, "Internal Server Error"), Verdict.RETRY),
        (TelegramNetworkError(METHOD, "Request timeout error"), Verdict.RETRY),
        (OSError("connection reset"), Verdict.RETRY),
    ],
)
def test_what_an_answer_means(error: Exception, verdict: Verdict) -> None:
    outcome = judge(error, 0, Backoff(base=1))
    assert outcome.verdict is verdict
    if verdict is Verdict.RETRY_AFTER:
        assert outcome.wait == 7


def test_transient_errors_back_off_then_give_up() -> None:
    backoff = Backoff(base=1, cap=60, max_failures=5)
    error = TelegramServerError(METHOD, "Bad Gateway")
    waits = [judge(error, n, backoff).wait for n in range(4)]
    assert [round(w) for w in waits] == pytest.approx([1, 2, 4, 8], abs=2)
    assert judge(error, 4, backoff).verdict is Verdict.FAILED


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28/11/2026 08:00", datetime(2026, 11, 28, 8, 0, tzinfo=NOW.tzinfo)),
        ("1-12-2026 7h30", datetime(2026, 12, 1, 7, 30, tzinfo=NOW.tzinfo)),
        ("27/11/2026 10:30", datetime(2026, 11, 27, 10, 30, tzinfo=NOW.tzinfo)),
    ],
)
def test_a_send_time_as_typed(typed: str, expected: datetime) -> None:
    assert parse_send_time(typed, NOW) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("mai 8 giờ", "dd/mm/yyyy HH:MM"),
        ("31/11/2026 08:00", "not a real date"),
        ("27/11/2026 09:00", "already passed"),
        ("28/11/2028 08:00", "more than a year"),
    ],
)
def test_a_wrong_send_time_says_why(typed: str, says: str) -> None:
    answer = parse_send_time(typed, NOW)
    assert isinstance(answer, Text) and says in answer.render(str)


def test_the_progress_bar_counts_the_vietnamese_way() -> None:
    from bot.broadcast.report import bar

    i18n = create_i18n("vi")
    with i18n.context(), i18n.use_locale("vi"):
        assert bar(412, 1000) == "▓▓▓▓░░░░░░ 412/1.000"
        assert bar(0, 3) == "░░░░░░░░░░ 0/3"
        assert bar(3, 3) == "▓▓▓▓▓▓▓▓▓▓ 3/3"
