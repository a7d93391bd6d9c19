"""Updates per second through one real dialog step, against a bare aiogram echo bot.

A fake Bot API (`bot.emulator.FakeBotAPI`) queues N text messages, each from a different
user (by default). Two bots poll it in turn, in this process, with the same updates and
the same simulated latency per Bot API call:

* echo   - a bare aiogram `Dispatcher()` (MemoryStorage) whose only handler answers
           `message.text`: what a new user gets from aiogram out of the box;
* dialog - the real application (`bot.app.create_application`: migrations, every
           middleware, dialog state in SQLite). Every user has sent /dangky (untimed, as
           the echo bot gets its own untimed round) and types a full name: validate,
           persist state and data, ask step 2.

Both poll the way `bot.cli` does (`start_polling`, each update handled as a task). A run
is timed from the bot's first getUpdates to the N-th reply the server records; runs are
interleaved (echo, dialog, dialog, echo...) and the best of each is compared, since a
shared, noisy machine only ever makes a run slower. Updates/s counts the updates
answered as they should be: an apology for a failed update is counted apart.

    .venv/bin/python benchmarks/throughput.py                  # 2000 updates, no latency
    .venv/bin/python benchmarks/throughput.py --latency 0.08   # 80 ms per Bot API call
    .venv/bin/python benchmarks/throughput.py --profile        # where the dialog's time goes
    .venv/bin/python benchmarks/throughput.py --tasks-limit 7  # the dialog 7 updates at a time
    .venv/bin/python benchmarks/throughput.py --echo-gc-like-the-bot  # see below

    .venv/bin/python benchmarks/throughput.py --webhook        # + webhook processes on PG+Redis

--webhook measures the same dialog step through `python -m bot webhook` processes on
PostgreSQL + Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL; defaults below; the database's
public schema is DROPPED and the Redis database flushed before each run): one process,
then two behind the fake Bot API's round robin, each against the SQLite polling dialog
of the same run. The fake server posts the updates `--concurrency` at a time (Telegram
posts up to WEBHOOK_MAX_CONNECTIONS, 40, at once); a run is timed from the first post to
the N-th reply. Skipped, with the reason, when PostgreSQL or Redis does not answer.

Each run starts after a full garbage collection. The dialog runs with the bot's own
collector settings (`bot.heap`: start-up frozen, young collections every 10,000 objects);
the echo bot with CPython's defaults, as a new user's would, unless
--echo-gc-like-the-bot gives it the same.

--profile runs the dialog once more under cProfile and counts its SQL per update; add
--tasks-limit when the dialog stalls, or the profile shows only waiting. The fake server
shares the bots' process and event loop, so its work counts against both cases alike;
the figures and the ratio are worth comparing only within one run (see README.md).

It is a measurement, not a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import json
import logging
import os
import pstats
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.fsm.storage.base import StorageKey  # noqa: E402
from aiogram.types import Message  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.app import create_application  # noqa: E402
from bot.dialogs import engine as dialog_engine  # noqa: E402
from bot.dialogs.model import Context  # noqa: E402
from bot.emulator import FakeBotAPI, Sent  # noqa: E402
from bot.heap import settle_after_start_up, unsettle  # noqa: E402
from bot.middlewares.under_way import TrackUpdatesUnderWay  # noqa: E402
from bot.registration.dialog import REGISTRATION  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.dialogs import InDialog  # noqa: E402
from storage import database  # noqa: E402

TARGET = 0.5
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# A database of its own (db 14): the benchmark flushes it.
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
WEBHOOK_PATH = "/telegram/webhook"
FIRST_USER_ID = 20_000_000
STEP_TWO = "bước 2/"  # "Đăng ký · bước 2/4": the question the dialog step ends with
STEP_TWO_KIND = "step-2 questions"
APOLOGY_KIND = "apologies (the update failed)"
# The msgids of bot.middlewares.errors.ApologiseOnError, to recognise their translations.
APOLOGY_MSGIDS = (
    "Sorry, something went wrong on our side: your last message was not saved. "
    "Please try again in a moment.",
    "Sorry, the database is busy right now: your last message was not saved. "
    "Please send it again in a minute.",
    "Sorry, something went wrong on our side while handling your last message; "
    "part of it was saved. Please check before you try again.",
)
FAMILY = ["nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "võ", "đặng"]
MIDDLE = ["văn", "thị", "đức", "minh", "ngọc", "quang"]
GIVEN = ["an", "bình", "châu", "dũng", "giang", "hà", "khoa", "linh", "nam", "thảo"]


class BenchAPI(FakeBotAPI):
    """The emulator, plus the two instants a run is timed between and a tally of replies."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.on_sent.append(self._count)
        self.reset()

    def reset(self) -> None:
        """Forget the warm-up: the timed run starts afresh."""
        self.first_poll_at: float | None = None
        self.last_reply_at: float | None = None
        self.cpu_at_first_poll = 0.0
        self.cpu_at_last_reply = 0.0
        self.replies: Counter[str] = Counter()
        self.total = 0
        self.expected = 0
        self.apologies: set[str] = set()
        self.all_replied = asyncio.Event()

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.first_poll_at is None:
            self.first_poll_at = time.perf_counter()
            self.cpu_at_first_poll = time.process_time()
        return await super()._api_getUpdates(params)

    def _count(self, sent: Sent) -> None:
        if sent.method != "sendMessage" or (sent.chat_id or 0) < FIRST_USER_ID:
            return
        self.replies[self._kind(sent.text)] += 1
        self.total += 1
        if self.total == self.expected:
            self.last_reply_at = time.perf_counter()
            self.cpu_at_last_reply = time.process_time()
            self.all_replied.set()

    def _kind(self, text: str) -> str:
        if STEP_TWO in text:
            return STEP_TWO_KIND
        if text in self.apologies:
            return APOLOGY_KIND
        return "other replies"


@dataclass
class Run:
    case: str
    updates: int
    seconds: float
    replies: Counter[str] = field(default_factory=Counter)
    complete: bool = True
    errors: int = 0
    error_tally: str = ""
    persisted: int | None = None
    cpu: float = 0.0  # CPU seconds of the whole process (all threads, the fake server too)
    cpu_here: float = 0.0  # webhook cases: `cpu` is the webhook processes', this is ours

    @property
    def answered(self) -> int:
        return sum(self.replies.values()) - self.replies[APOLOGY_KIND]

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        total = sum(self.replies.values())
        text = f"{total} replies to {self.updates} updates"
        if self.seconds > 0 and self.case.startswith("webhook"):
            text += (
                f", CPU of the webhook processes {self.cpu / self.seconds:.0%} of one core, "
                f"of this one (fake Bot API, posts) {self.cpu_here / self.seconds:.0%}"
            )
        elif self.seconds > 0:
            text += f", CPU {self.cpu / self.seconds:.0%} of one core"
        if self.case != "echo":
            kinds = ", ".join(f"{n} {kind}" for kind, n in self.replies.most_common())
            text += f" ({kinds}); {self.persisted} dialog states persisted at step 2"
        if not self.complete:
            text += f"; INCOMPLETE: {self.updates - total} updates unanswered at the time limit"
        if self.errors:
            text += f"; {self.errors} errors: {self.error_tally}"
        return text


class ErrorCount(logging.Handler):
    """Tallies what the bot logs at ERROR by logger and exception, so that a thousand
    tracebacks don't bury the figures."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.kinds: Counter[str] = Counter()

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def reset(self) -> None:
        self.kinds = Counter()

    def summary(self) -> str:
        return "; ".join(f"{n} x {kind}" for kind, n in self.kinds.most_common(4))

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            kind = record.getMessage().split("\n")[0][:100]
        else:
            text = str(error).splitlines()[0].split(" (Background on this error")[0]
            kind = f"{type(error).__name__}: {text[:100]}"
        self.kinds[f"{record.name} logged {kind}"] += 1


ERRORS = ErrorCount()


class SqlCount:
    """Statements, transactions and pool checkouts of an engine (for --profile)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.counts: Counter[str] = Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "commit", self._commit)
        event.listen(engine.sync_engine.pool, "checkout", self._checkout)
        event.listen(engine.sync_engine.pool, "connect", self._connect)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        table = words[2] if words[0] in {"INSERT", "DELETE"} else ""
        if words[0] == "SELECT":
            table = next((w for w in words if "." in w), "").split(".")[0]
        elif words[0] == "UPDATE":
            table = words[1]
        self.counts[f"{words[0]} {table}".strip()] += 1

    def _commit(self, _conn: Any) -> None:
        self.counts["commits"] += 1

    def _checkout(self, *_: Any) -> None:
        self.counts["sessions (pool checkouts)"] += 1

    def _connect(self, *_: Any) -> None:
        self.counts["new SQLite connections (a thread each, with aiosqlite)"] += 1


def _texts(updates: int, users: int) -> list[tuple[int, str]]:
    """(user id, text) of every update; each text is a valid full name."""
    out = []
    for i in range(updates):
        user = i % users
        name = f"{FAMILY[user % 8]} {MIDDLE[user // 8 % 6]} {GIVEN[user // 48 % 10]}"
        out.append((FIRST_USER_ID + user, name))
    return out


async def _queue(api: BenchAPI, texts: list[tuple[int, str]]) -> None:
    people = {uid: api.user(uid) for uid in {uid for uid, _ in texts}}
    for uid, text in texts:
        await people[uid].send(text)
    api.expected = len(texts)


async def _warm_up(
    api: BenchAPI, bot: Bot, dispatcher: Dispatcher, texts: list[tuple[int, str]], timeout: float
) -> None:
    """Every user sends /dangky first, untimed: as in real use, the bot has seen them (and
    asked for their full name) before they answer. Both bots get it alike."""
    await _queue(api, [(uid, "/dangky") for uid in sorted({uid for uid, _ in texts})])
    await _poll("warm-up", api, bot, dispatcher, timeout, None)
    api.reset()


async def _poll(
    case: str,
    api: BenchAPI,
    bot: Bot,
    dispatcher: Dispatcher,
    timeout: float,
    tasks_limit: int | None,
    profiler: cProfile.Profile | None = None,
) -> Run:
    """Poll until every queued update is answered (or `timeout`)."""
    ERRORS.reset()
    if profiler is not None:
        profiler.enable()
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot,
            handle_signals=False,
            close_bot_session=False,
            polling_timeout=1,
            tasks_concurrency_limit=tasks_limit,
        )
    )
    complete = True
    try:
        await asyncio.wait_for(api.all_replied.wait(), timeout)
    except TimeoutError:
        complete = False
    end = api.last_reply_at or time.perf_counter()
    cpu = (api.cpu_at_last_reply or time.process_time()) - api.cpu_at_first_poll
    if profiler is not None:
        profiler.disable()
    with contextlib.suppress(RuntimeError):
        await dispatcher.stop_polling()
    await task
    # Let the handlers still finishing (a commit after the reply) end before closing.
    # (The bot tracks them with its first middleware; the bare echo dispatcher has none.)
    pending = [
        task
        for middleware in dispatcher.update.outer_middleware
        if isinstance(middleware, TrackUpdatesUnderWay)
        for task in middleware.under_way
    ]
    if pending:
        await asyncio.wait(pending, timeout=30)
    seconds = end - (api.first_poll_at or end)
    return Run(
        case,
        api.expected,
        seconds,
        api.replies,
        complete,
        ERRORS.count,
        ERRORS.summary(),
        cpu=cpu,
    )


async def run_echo(texts: list[tuple[int, str]], args: argparse.Namespace, **_: Any) -> Run:
    gc.collect()  # each run starts on a clean heap: the last run's garbage is not its to collect
    api = BenchAPI(latency=args.latency)
    await api.start()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    if args.echo_gc_like_the_bot:
        dispatcher.startup.register(settle_after_start_up)
        dispatcher.shutdown.register(unsettle)
    bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    try:
        await _warm_up(api, bot, dispatcher, texts, args.timeout)
        await _queue(api, texts)
        return await _poll("echo", api, bot, dispatcher, args.timeout, None)
    finally:
        await bot.session.close()
        await api.stop()


async def run_dialog(
    texts: list[tuple[int, str]],
    args: argparse.Namespace,
    workdir: Path,
    profiler: cProfile.Profile | None = None,
    sql: list[SqlCount] | None = None,
) -> Run:
    gc.collect()
    api = BenchAPI(latency=args.latency)
    await api.start()
    database = workdir / f"dialog-{time.monotonic_ns()}.db"
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        telegram_api_base=api.base_url,
        admin_ids="",
        throttle_rate=1e9,
        throttle_burst=10**9,
        # The fake API has no flood control: measure the bot, not Telegram's 30 a second.
        telegram_rate=10**9,
    )
    # As `python -m bot run` builds it: long polling, the one consumer of updates.
    app = await create_application(settings, api.token, single_consumer=True)
    api.apologies = {app.i18n.gettext(m, locale=settings.default_locale) for m in APOLOGY_MSGIDS}
    try:
        # Every user has sent /dangky (untimed): the dialog waits for their full name.
        await _warm_up(api, app.bot, app.dispatcher, texts, args.timeout)
        await _queue(api, texts)
        if sql is not None:
            sql.append(SqlCount(app.engine))
        run = await _poll(
            "dialog", api, app.bot, app.dispatcher, args.timeout, args.tasks_limit, profiler
        )
    finally:
        await app.close()
        await api.stop()
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT data FROM dialog_states WHERE state = ?", (InDialog.active.state,)
        ).fetchall()
    run.persisted = sum(_at_step_two(json.loads(data)) for (data,) in rows)
    return run


def _at_step_two(data: dict[str, Any]) -> bool:
    """The registration stored on the unit question, with the full name answered."""
    dialog = data.get("dialog") or {}
    return dialog.get("at") == "unit" and "full_name" in dialog.get("answers", {})


# --- webhook processes on PostgreSQL + Redis (--webhook) -------------------------------------


async def _reachable(database_url: str, redis_url: str) -> str | None:
    """None when both servers answer, else why not."""
    from redis.asyncio import Redis
    from sqlalchemy import text

    from storage.database import create_engine

    engine = create_engine(database_url)
    try:
        async with asyncio.timeout(5):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"PostgreSQL at {database_url} does not answer ({type(error).__name__}: {error})"
    finally:
        await engine.dispose()
    try:
        async with asyncio.timeout(5):
            async with Redis.from_url(redis_url) as redis:
                await redis.ping()
    except Exception as error:
        return f"Redis at {redis_url} does not answer ({type(error).__name__}: {error})"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a child process so far (Linux /proc), 0 if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_webhook(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """`python -m bot webhook` on `port`, as in production; its errors go to `log_path`."""
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "webhook"],
            cwd=ROOT,
            env={**env, "WEBHOOK_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )


async def _healthy(port: int) -> bool:
    import aiohttp

    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/health") as response:
                return response.status == 200
    except aiohttp.ClientError:
        return False


async def run_webhook(
    texts: list[tuple[int, str]],
    args: argparse.Namespace,
    workdir: Path,
    processes: int,
) -> Run:
    """The dialog step through `processes` webhook processes on PostgreSQL + Redis."""
    from redis.asyncio import Redis
    from sqlalchemy import text

    from bot.app import prepare_database
    from storage.database import create_engine

    case = f"webhook x{processes}"
    engine = create_engine(args.database_url)
    async with engine.begin() as connection:  # a fresh schema: update ids start at 1 again
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    async with Redis.from_url(args.redis_url) as redis:
        await redis.flushdb()
    api = BenchAPI(latency=args.latency)
    await api.start()
    settings = load_settings(
        database_url=args.database_url,
        redis_url=args.redis_url,
        telegram_api_base=api.base_url,
        admin_ids="",
        _env_file=None,
    )
    await prepare_database(settings, engine)  # migrated once, before the processes start
    await engine.dispose()
    # The same application, here only to put every user on step 1 and read the states back.
    app = await create_application(settings, api.token)
    api.apologies = {app.i18n.gettext(m, locale=settings.default_locale) for m in APOLOGY_MSGIDS}
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("WEBHOOK_", "REDIS_", "DATABASE_", "BROADCAST_", "ADMIN_"))
        },
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "THROTTLE_RATE": "1000000000",
        "THROTTLE_BURST": "1000000000",
        "TELEGRAM_RATE": "1000000000",
        "LOG_LEVEL": "ERROR",
    }
    ports = [_free_port() for _ in range(processes)]
    log_path = workdir / f"webhook-{time.monotonic_ns()}.log"
    children: list[subprocess.Popen[bytes]] = []
    try:
        children += [_start_webhook(env, port, log_path) for port in ports]
        # Every user on the first question (as /dangky leaves them; no screen to edit).
        ctx = Context(now=datetime.now(UTC), gettext=str)
        first = dialog_engine.start(REGISTRATION, ctx).state
        assert first is not None
        for uid in sorted({uid for uid, _ in texts}):
            key = StorageKey(bot_id=app.bot.id, chat_id=uid, user_id=uid)
            await app.dispatcher.storage.set_state(key, InDialog.active)
            await app.dispatcher.storage.set_data(key, {"dialog": first.to_dict()})
        deadline = time.monotonic() + 60
        for port, child in zip(ports, children, strict=True):
            while not await _healthy(port):
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"webhook process did not start; see {log_path}")
                await asyncio.sleep(0.05)
        api.webhook_targets = [f"http://127.0.0.1:{port}{WEBHOOK_PATH}" for port in ports]
        api.webhook_secret = WEBHOOK_SECRET
        api.expected = len(texts)
        people = {uid: api.user(uid) for uid in {uid for uid, _ in texts}}
        # Telegram posts several updates at once (up to WEBHOOK_MAX_CONNECTIONS): so does this,
        # keeping `concurrency` posts open, each awaited until the process answers it.
        pending = iter(texts)

        async def poster() -> None:
            for uid, text in pending:
                await people[uid].send(text)

        cpu_before = sum(_cpu_seconds(child.pid) for child in children)
        here_before = time.process_time()
        start = time.perf_counter()
        posters = [asyncio.create_task(poster()) for _ in range(args.concurrency)]
        complete = True
        try:
            await asyncio.wait_for(api.all_replied.wait(), args.timeout)
        except TimeoutError:
            complete = False
        end = api.last_reply_at or time.perf_counter()
        cpu = sum(_cpu_seconds(child.pid) for child in children) - cpu_before
        cpu_here = time.process_time() - here_before
        for task in posters:
            task.cancel()
        await asyncio.gather(*posters, return_exceptions=True)
        persisted = 0
        for uid in people:
            key = StorageKey(bot_id=app.bot.id, chat_id=uid, user_id=uid)
            data = await app.dispatcher.storage.get_data(key)
            state = await app.dispatcher.storage.get_state(key)
            persisted += state == InDialog.active.state and _at_step_two(data)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=40)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        await app.close()
        await api.stop()
    errors = [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if "ERROR" in line or "Traceback" in line
    ]
    failed = sum(1 for _, _, status in api.webhook_results if status != 200)
    tally = f"{failed} posts answered other than 200; " if failed else ""
    run = Run(
        case,
        api.expected,
        end - start,
        api.replies,
        complete,
        len(errors) + failed,
        tally + "; ".join(errors[:3]),
        persisted=persisted,
        cpu=cpu,
        cpu_here=cpu_here,
    )
    return run


async def main_webhook(args: argparse.Namespace, texts: list[tuple[int, str]]) -> None:
    """(a) the SQLite polling dialog, (b) one and (c) two webhook processes on PG + Redis."""
    print(
        f"  webhook: {args.concurrency} posts at a time; PostgreSQL {args.database_url}, "
        f"Redis {args.redis_url}"
    )
    why = await _reachable(args.database_url, args.redis_url)
    if why is not None:
        print(f"  webhook cases SKIPPED: {why}")
    with tempfile.TemporaryDirectory(prefix="khcn-bench-") as tmp:
        workdir = Path(tmp)
        cases = ["polling x1 (SQLite)"]
        if why is None:
            cases += ["webhook x1", "webhook x2"]
        print(f"  {'run':>3}  " + "  ".join(f"{case:>19}" for case in cases))
        best: dict[str, Run] = {}
        for i in range(args.repeat):
            runs = [await run_dialog(texts, args, workdir)]
            if why is None:
                order = [1, 2] if i % 2 == 0 else [2, 1]
                by_count = {n: await run_webhook(texts, args, workdir, n) for n in order}
                runs += [by_count[1], by_count[2]]
            for case, run in zip(cases, runs, strict=True):
                if case not in best or run.rate > best[case].rate:
                    best[case] = run
            cells = []
            for run in runs:
                mark = "" if run.complete and not run.errors else "!"
                cells.append(f"{_rate(run) + mark:>19}")
            print(f"  {i + 1:>3}  " + "  ".join(cells))
        baseline = best[cases[0]]
        print("best of each (updates/s answered with step 2; ratio to the SQLite polling process):")
        for case in cases:
            run = best[case]
            ratio = run.rate / baseline.rate if baseline.rate else 0.0
            print(f"  {case:<20} {_rate(run):>6} updates/s  ×{ratio:.2f}")
            print(f"         {run.describe()}")
        if why is not None:
            print(f"  webhook cases SKIPPED: {why}")
            print("  (set BENCH_DATABASE_URL / BENCH_REDIS_URL to a reachable server)")


def _where(filename: str, function: str) -> str:
    """The package or project folder a profiled function belongs to."""
    if "epoll" in function:
        return "waiting in epoll (idle, or for the database threads)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_relative_to(ROOT):
        return "project: " + "/".join(path.relative_to(ROOT).parts[:2])
    if filename.startswith("~") or not path.parts:
        return "C built-ins (sockets, queues, ...)"
    if filename.startswith("<"):
        return "generated code"
    return "stdlib: " + (path.parent.name if path.parent.name != "python3.11" else path.stem)


def _print_profile(profiler: cProfile.Profile, run: Run, sql: SqlCount) -> None:
    print(f"\n--- one more dialog run, under cProfile: {_rate(run)} updates/s ---")
    print(f"    {run.describe()}")
    print("    database work per update:")
    for name, n in sorted(sql.counts.items(), key=lambda item: -item[1]):
        print(f"    {n / run.updates:8.2f}  {name}")
    stats = pstats.Stats(profiler)
    own: Counter[str] = Counter()
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        own[_where(filename, name)] += tottime
    total = sum(own.values())
    print(f"    own time (not counting callees) by package, main thread, {total:.1f} s in all:")
    for where, seconds in own.most_common(12):
        per_update = seconds / run.updates * 1000
        print(f"    {seconds / total:6.1%}  {per_update:6.2f} ms/update  {where}")
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs()
    # With coroutines, "cumulative" counts each resumption: read it as "under this frame".
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    print(out.getvalue())


def _rate(run: Run) -> str:
    return f"{run.rate:.0f}" if run.rate >= 10 else f"{run.rate:.2f}"


def _ratio(dialog: Run, echo: Run) -> float:
    return dialog.rate / echo.rate if echo.rate else 0.0


async def main(args: argparse.Namespace) -> None:
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger().addHandler(ERRORS)
    users = min(args.users or args.updates, args.updates)
    texts = _texts(args.updates, users)
    args.timeout = args.timeout or max(60.0, args.updates / 20)
    limit = f", dialog at most {args.tasks_limit} updates at once" if args.tasks_limit else ""
    print(
        f"throughput: {args.updates} updates from {users} users, "
        f"{args.latency * 1000:g} ms per Bot API call{limit}, {args.repeat} runs of each"
    )
    if users < args.updates:
        print("  (a user's later texts meet step 2, a unit search; every reply counts)")
    if args.webhook:
        await main_webhook(args, texts)
        return
    if args.synchronous == "compare":
        await main_synchronous(args, texts)
        return
    with tempfile.TemporaryDirectory(prefix="khcn-bench-") as tmp:
        workdir = Path(tmp)
        print(
            f"  dialog state: SQLite (WAL, synchronous={database.SQLITE_SYNCHRONOUS}), "
            f"a fresh database per run in {workdir}"
        )
        print(f"  {'run':>3}  {'echo upd/s':>10}  {'dialog upd/s':>12}  {'ratio':>6}")
        pairs: list[tuple[Run, Run]] = []
        for i in range(args.repeat):
            # Alternate which case goes first, so neither always runs on a warmer machine.
            if i % 2 == 0:
                echo = await run_echo(texts, args)
                dialog = await run_dialog(texts, args, workdir)
            else:
                dialog = await run_dialog(texts, args, workdir)
                echo = await run_echo(texts, args)
            pairs.append((echo, dialog))
            mark = "" if dialog.complete and not dialog.errors else "  (dialog run failed)"
            print(
                f"  {i + 1:>3}  {_rate(echo):>10}  {_rate(dialog):>12}  "
                f"{_ratio(dialog, echo):>6.2f}{mark}"
            )
        best_echo = max((e for e, _ in pairs), key=lambda r: r.rate)
        best_dialog = max((d for _, d in pairs), key=lambda r: r.rate)
        ratio = _ratio(best_dialog, best_echo)
        paired = statistics.median(_ratio(d, e) for e, d in pairs)
        print(f"echo   (bare aiogram, MemoryStorage):    {_rate(best_echo):>6} updates/s (best)")
        print(f"         {best_echo.describe()}")
        print(f"dialog (/dangky full name → step 2):     {_rate(best_dialog):>6} updates/s (best)")
        print(f"         {best_dialog.describe()}")
        print(
            f"ratio dialog/echo: {ratio:.2f} (best/best; median of the {len(pairs)} pairs: "
            f"{paired:.2f}); target ≥ {TARGET:.2f}"
        )
        failed = [d for _, d in pairs if not d.complete or d.errors or d.answered < d.updates]
        if ratio >= TARGET and not failed:
            print("PASS")
        else:
            why = f"; {len(failed)} of {len(pairs)} dialog runs lost or failed updates"
            print(f"BELOW TARGET ({ratio:.2f} < {TARGET:.2f}{why if failed else ''})")

        if args.profile:
            profiler = cProfile.Profile()
            sql: list[SqlCount] = []
            run = await run_dialog(texts, args, workdir, profiler, sql)
            _print_profile(profiler, run, sql[0])


async def _lone_commits(workdir: Path, count: int) -> float:
    """Commits per second of one small row each, one after another (as submissions are
    stored: a transaction of their own), through the bot's engine."""
    from sqlalchemy import text

    from storage.database import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{workdir / f'lone-{time.monotonic_ns()}.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        started = time.perf_counter()
        for _ in range(count):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 500})
        return count / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def main_synchronous(args: argparse.Namespace, texts: list[tuple[int, str]]) -> None:
    """--synchronous compare: the dialog, and lone commits, with FULL and with NORMAL,
    interleaved in one run (the machine's load changes between runs, not within a pair)."""
    rates: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    lone: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    with tempfile.TemporaryDirectory(prefix="khcn-bench-") as tmp:
        workdir = Path(tmp)
        print(f"  SQLite synchronous=FULL vs NORMAL, interleaved; databases in {workdir}")
        print(f"  {'run':>3}  {'setting':>7}  {'dialog upd/s':>12}  {'lone commits/s':>14}")
        for i in range(args.repeat):
            for setting in ("FULL", "NORMAL") if i % 2 == 0 else ("NORMAL", "FULL"):
                database.SQLITE_SYNCHRONOUS = setting
                run = await run_dialog(texts, args, workdir)
                commits = await _lone_commits(workdir, args.lone_commits)
                rates[setting].append(run.rate)
                lone[setting].append(commits)
                mark = "" if run.complete and not run.errors else "  (dialog run failed)"
                print(f"  {i + 1:>3}  {setting:>7}  {_rate(run):>12}  {commits:>14.0f}{mark}")
    full, normal = max(rates["FULL"]), max(rates["NORMAL"])
    lone_full, lone_normal = max(lone["FULL"]), max(lone["NORMAL"])
    print(f"dialog, best:        FULL {full:.0f}, NORMAL {normal:.0f} updates/s")
    print(f"  FULL/NORMAL: {full / normal:.2f}")
    print(f"lone commits, best:  FULL {lone_full:.0f}, NORMAL {lone_normal:.0f} commits/s")
    print(f"  FULL/NORMAL: {lone_full / lone_normal:.2f}")
    database.SQLITE_SYNCHRONOUS = "FULL"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000, help="updates per run (2000)")
    parser.add_argument(
        "--users", type=int, default=0, help="distinct users sending them (default: one each)"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds per Bot API call (0; try 0.08)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (3)")
    parser.add_argument(
        "--echo-gc-like-the-bot",
        action="store_true",
        help="give the echo bot the bot's garbage-collector settings (bot.heap) too",
    )
    parser.add_argument(
        "--timeout", type=float, default=0.0, help="seconds a run may take (max(60, N/20))"
    )
    parser.add_argument(
        "--tasks-limit",
        type=int,
        default=None,
        help="aiogram's tasks_concurrency_limit for the dialog bot (default none, as in "
        "bot.cli); the echo baseline always polls without a limit",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then run the dialog once more under cProfile, and count its SQL per update",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="instead of echo vs dialog: the SQLite polling dialog vs one and two "
        "`python -m bot webhook` processes on PostgreSQL + Redis (BENCH_DATABASE_URL, "
        "BENCH_REDIS_URL; the database's public schema is dropped)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=40, help="webhook posts open at once (40)"
    )
    parser.add_argument(
        "--synchronous",
        choices=("FULL", "NORMAL", "compare"),
        default=None,
        help="SQLite's synchronous setting for the dialog (default: the bot's, FULL); "
        "compare: instead of echo vs dialog, the dialog and lone commits with FULL and "
        "with NORMAL, interleaved",
    )
    parser.add_argument(
        "--lone-commits", type=int, default=300, help="with --synchronous compare (300)"
    )
    args = parser.parse_args(argv)
    if args.synchronous in ("FULL", "NORMAL"):
        database.SQLITE_SYNCHRONOUS = args.synchronous
    args.database_url = BENCH_DATABASE_URL
    args.redis_url = BENCH_REDIS_URL
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
