"""Webhook mode: the secret, malformed bodies, the health endpoint, and two bot processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Application, create_application, prepare_database
from bot.emulator import FakeBotAPI, Sent
from bot.settings import load_settings
from bot.webhook import serve
from storage.database import create_engine, create_sessionmaker
from storage.models import Delivery, DeliveryState, Submission, User
from storage.repositories.broadcasts import enqueue_notice
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.e2e.broadcasting import copies, states
from tests.e2e.flows import approve, register
from tests.e2e.test_forms import fill_activity_report
from tests.harness import ADMIN_ID

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-webhook-secret-0123456789"
PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until(condition: object, timeout: float = 20) -> None:
    """Wait for a condition that another process makes true (a server that starts)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


class WebhookBot:
    def __init__(self, app: Application, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}{PATH}"
        self.stop = asyncio.Event()


@pytest.fixture
async def webhook_bot(api: FakeBotAPI, database_url: str) -> AsyncIterator[WebhookBot]:
    port = free_port()
    settings = load_settings(
        database_url=database_url,
        telegram_api_base=api.base_url,
        admin_ids=str(ADMIN_ID),
        throttle_rate=10_000,
        throttle_burst=10_000,
        webhook_url=f"http://127.0.0.1:{port}{PATH}",
        webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    app = await create_application(settings, api.token)
    running = WebhookBot(app, port)
    task = asyncio.create_task(serve(app, SECRET, running.stop))
    await wait_until(lambda: api.webhook is not None or task.done())
    yield running
    running.stop.set()
    await task
    await app.close()


async def test_registration_through_the_webhook(api: FakeBotAPI, webhook_bot: WebhookBot) -> None:
    assert api.webhook == {"url": webhook_bot.url, "secret_token": SECRET}
    lan = api.user(3001)
    await register(lan)
    await approve(api, lan)
    assert {status for _, _, status in api.webhook_results} == {200}


async def test_requests_without_the_secret_or_with_a_bad_body_are_refused(
    api: FakeBotAPI, webhook_bot: WebhookBot
) -> None:
    update = {
        "update_id": 77,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 3002, "type": "private"},
            "from": {"id": 3002, "is_bot": False, "first_name": "X"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-wrong-secret"}):
            async with client.post(webhook_bot.url, json=update, headers=headers) as response:
                assert response.status == 401
            # Without the secret the body is not even looked at.
            async with client.post(webhook_bot.url, data=b"not json", headers=headers) as response:
                assert response.status == 401
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for body in (b"not json", b'{"update_id": "x"}', b"[1, 2]"):
            async with client.post(webhook_bot.url, data=body, headers=good) as response:
                assert response.status == 400
        async with client.get(f"http://127.0.0.1:{webhook_bot.port}/health") as response:
            assert response.status == 200 and (await response.json()) == {"status": "ok"}
    assert not [e for e in api.sent if e.chat_id == 3002]
    async with webhook_bot.app.sessionmaker() as session:
        assert await session.get(User, 3002) is None
    # The same update with the secret is handled.
    async with aiohttp.ClientSession() as client:
        async with client.post(webhook_bot.url, json=update, headers=good) as response:
            assert response.status == 200
    assert any(e.chat_id == 3002 for e in api.sent)


# --- two real processes ----------------------------------------------------------------------


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """PostgreSQL + Redis when the machine has them (the grown set-up), else one SQLite file."""
    if POSTGRES_URL:
        yield POSTGRES_URL, REDIS_URL
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}", None


def start_process(
    api: FakeBotAPI,
    port: int,
    database_url: str,
    redis_url: str | None,
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WEBHOOK_", "REDIS_", "DATABASE_"))
        },
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "THROTTLE_RATE": "10000",
        "THROTTLE_BURST": "10000",
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return subprocess.Popen([sys.executable, "-m", "bot", "webhook"], cwd=ROOT, env=env)


async def healthy(port: int) -> bool:
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/health") as response:
                return response.status == 200
    except aiohttp.ClientError:
        return False


async def fresh(database_url: str, redis_url: str | None) -> None:
    if database_url.startswith("postgresql"):
        from tests.conftest import _fresh_postgres

        await _fresh_postgres(database_url)
    if redis_url:
        from redis.asyncio import Redis

        async with Redis.from_url(redis_url) as redis:
            await redis.flushdb()


async def wait_healthy(ports: list[int]) -> None:
    for port in ports:
        ready = False
        for _ in range(1000):
            if await healthy(port):
                ready = True
                break
            await asyncio.sleep(0.02)
        assert ready, f"process on {port} did not start"


async def test_two_processes_share_the_work_and_one_can_die(
    api: FakeBotAPI, shared_database: tuple[str, str | None]
) -> None:
    database_url, redis_url = shared_database
    await fresh(database_url, redis_url)
    # Migrate once first, so the two processes don't race to create the schema.
    from storage import migrate

    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    ports = [free_port(), free_port()]
    processes = [start_process(api, port, database_url, redis_url) for port in ports]
    try:
        await wait_healthy(ports)
        api.webhook_targets = [f"http://127.0.0.1:{port}{PATH}" for port in ports]
        api.webhook_secret = SECRET

        lan = api.user(3101)
        await register(lan)
        await approve(api, lan)
        await fill_activity_report(lan, attach=False)
        await lan.press("Gửi")
        await lan.expect("Đã gửi. Mã số")
        served = {url for _, url, status in api.webhook_results if status == 200}
        assert served == set(api.webhook_targets), "both processes handled updates"

        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(timeout=10)
        await lan.send("/cuatoi")
        mine = await lan.expect("Các hồ sơ gửi gần đây")
        assert "đã gửi" in mine.text
        sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Submission)) == 1

        # SIGTERM: the survivor stops taking updates and exits cleanly.
        processes[1].send_signal(signal.SIGTERM)
        assert processes[1].wait(timeout=30) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        await engine.dispose()


# --- a broadcast across two processes, one killed mid-way ---------------------------------------

RECIPIENTS = 60
KILL_AT = 20  # copies delivered when one process dies


async def unfinished_rows(
    sessions: async_sessionmaker[AsyncSession], notice_id: int
) -> dict[int, dict[int, DeliveryState]]:
    """pid of the worker → {chat id: state} of the rows it has claimed or is sending."""
    async with sessions() as session:
        found = await session.execute(
            select(Delivery.claimed_by, Delivery.chat_id, Delivery.state).where(
                Delivery.notice_id == notice_id,
                Delivery.state.in_([DeliveryState.CLAIMED, DeliveryState.SENDING]),
            )
        )
        held: dict[int, dict[int, DeliveryState]] = {}
        for worker, chat, state in found:
            pid = int(str(worker).split(":")[-2])  # "host:pid:tag", see worker_name()
            held.setdefault(pid, {})[chat] = DeliveryState(state)
        return held


# Two bot processes start (imports, migrations) before anything is sent: on a loaded 2-core
# machine that alone has taken over 20 s. The waits are on events, so room costs nothing.
@pytest.mark.timeout(300)
async def test_a_broadcast_survives_one_of_two_processes_killed(
    api: FakeBotAPI, shared_database: tuple[str, str | None]
) -> None:
    database_url, redis_url = shared_database
    await fresh(database_url, redis_url)
    engine = create_engine(database_url)
    await prepare_database(load_settings(database_url=database_url, _env_file=None), engine)
    sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
    # Deliveries are by chat id: the recipients need not be registered users here.
    people = list(range(800_000, 800_000 + RECIPIENTS))
    async with sessions() as session:
        notice = await enqueue_notice(
            session,
            created_by=ADMIN_ID,
            text="Thông báo",
            recipients=people,
            report_chat_id=ADMIN_ID,
        )
        await session.commit()

    api.latency = 0.02  # a few requests in flight at any moment
    wanted = set(people)
    delivered: list[int] = []
    reached = asyncio.Event()

    def count(event: Sent) -> None:
        if event.method == "sendMessage" and event.chat_id in wanted:
            delivered.append(event.chat_id)
            if len(delivered) == KILL_AT:
                reached.set()

    api.on_sent.append(count)
    ports = [free_port(), free_port()]
    # 10 messages/s in all (batches of 20 rows), and a dead worker's rows recovered after 3 s.
    extra = {"BROADCAST_RATE": "10", "BROADCAST_LEASE": "3"}
    processes = [start_process(api, port, database_url, redis_url, extra) for port in ports]
    try:
        await asyncio.wait_for(reached.wait(), 90)
        # Kill the process holding the most rows (both take batches; this one surely has some).
        held = await unfinished_rows(sessions, notice.id)
        victim = max(processes, key=lambda p: len(held.get(p.pid, {})))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        survivor = next(p for p in processes if p is not victim)
        left = (await unfinished_rows(sessions, notice.id)).get(victim.pid, {})
        assert left, "the killed process held no rows: nothing to take over"
        in_flight = {chat for chat, state in left.items() if state is DeliveryState.SENDING}

        report = await api.wait_for(
            lambda e: e.chat_id == ADMIN_ID and "Đã gửi xong thông báo" in e.text, timeout=90
        )
        after = await states(sessions, notice.id)
        got = copies(api, people)
        assert len(after) == RECIPIENTS and max(got.values()) == 1  # nobody twice
        tally = Counter(state for state, _ in after.values())
        assert tally[DeliveryState.SENT] + tally[DeliveryState.UNKNOWN] == RECIPIENTS, tally
        for chat, (state, _) in after.items():
            if state is DeliveryState.SENT:
                assert got[chat] == 1
            else:  # only a copy on the wire when its process died may be unknown
                assert state is DeliveryState.UNKNOWN and chat in in_flight, (chat, state)
        # The dead process's claimed rows, never tried, were sent by the survivor.
        assert all(after[chat][0] is DeliveryState.SENT for chat in set(left) - in_flight)
        assert str(tally[DeliveryState.SENT]) in report.text

        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=30) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        await engine.dispose()
