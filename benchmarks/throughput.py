"""Updates per second through one real dialog step, against a bare aiogram echo bot.

A fake Bot API (`bot.emulator.FakeBotAPI`) queues N text messages, each from a different
user (by default). Two bots poll it in turn, in this process, with the same updates and
the same simulated latency per Bot API call:

* echo   - a bare aiogram `Dispatcher()` (MemoryStorage) whose only handler answers
           `message.text`: what a new user gets from aiogram out of the box;
* dialog - the real application (`bot.app.create_application`: migrations, every
           middleware, dialog state in SQLite). Every user is already on step 1 of /dangky
           and types a full name: validate, persist state and data, ask step 2.

Both poll the way `bot.cli` does (`start_polling`, each update handled as a task). A run
is timed from the bot's first getUpdates to the N-th reply the server records; runs are
interleaved (echo, dialog, dialog, echo...) and the best of each is compared, since a
shared, noisy machine only ever makes a run slower. Updates/s counts the updates
answered as they should be: an apology for a failed update is counted apart.

    .venv/bin/python benchmarks/throughput.py                  # 2000 updates, no latency
    .venv/bin/python benchmarks/throughput.py --latency 0.08   # 80 ms per Bot API call
    .venv/bin/python benchmarks/throughput.py --profile        # where the dialog's time goes
    .venv/bin/python benchmarks/throughput.py --tasks-limit 7  # the dialog 7 updates at a time

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
import io
import logging
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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
from bot.emulator import FakeBotAPI, Sent  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.registration import Registration  # noqa: E402

TARGET = 0.5
FIRST_USER_ID = 20_000_000
STEP_TWO = "bước 2/"  # "Đăng ký · bước 2/4": the question the dialog step ends with
STEP_TWO_KIND = "step-2 questions"
APOLOGY_KIND = "apologies (the update failed)"
# The msgid of bot.middlewares.errors.ApologiseOnError, to recognise its translation.
APOLOGY_MSGID = (
    "Sorry, something went wrong on our side. What you entered so far is kept; "
    "please try again in a moment."
)
FAMILY = ["nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "võ", "đặng"]
MIDDLE = ["văn", "thị", "đức", "minh", "ngọc", "quang"]
GIVEN = ["an", "bình", "châu", "dũng", "giang", "hà", "khoa", "linh", "nam", "thảo"]


class BenchAPI(FakeBotAPI):
    """The emulator, plus the two instants a run is timed between and a tally of replies."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.first_poll_at: float | None = None
        self.last_reply_at: float | None = None
        self.cpu_at_first_poll = 0.0
        self.cpu_at_last_reply = 0.0
        self.replies: Counter[str] = Counter()
        self.total = 0
        self.expected = 0
        self.apology: str | None = None
        self.all_replied = asyncio.Event()
        self.on_sent.append(self._count)

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
        if self.apology is not None and text == self.apology:
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

    @property
    def answered(self) -> int:
        return sum(self.replies.values()) - self.replies[APOLOGY_KIND]

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        total = sum(self.replies.values())
        text = f"{total} replies to {self.updates} updates"
        if self.seconds > 0:
            text += f", CPU {self.cpu / self.seconds:.0%} of one core"
        if self.case == "dialog":
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
    pending = list(getattr(dispatcher, "_handle_update_tasks", ()))
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
    api = BenchAPI(latency=args.latency)
    await api.start()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    try:
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
    api = BenchAPI(latency=args.latency)
    await api.start()
    database = workdir / f"dialog-{time.monotonic_ns()}.db"
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        telegram_api_base=api.base_url,
        admin_ids="",
        throttle_rate=1e9,
        throttle_burst=10**9,
    )
    # As `python -m bot run` builds it: long polling, the one consumer of updates.
    app = await create_application(settings, api.token, single_consumer=True)
    api.apology = app.i18n.gettext(APOLOGY_MSGID, locale=settings.default_locale)
    try:
        # Every user has answered /dangky already: the dialog waits for their full name.
        for uid in sorted({uid for uid, _ in texts}):
            key = StorageKey(bot_id=app.bot.id, chat_id=uid, user_id=uid)
            await app.dispatcher.storage.set_state(key, Registration.full_name)
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
        (run.persisted,) = db.execute(
            "SELECT count(*) FROM dialog_states WHERE state = ? AND data LIKE '%full_name%'",
            (Registration.unit.state,),
        ).fetchone()
    return run


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
    with tempfile.TemporaryDirectory(prefix="khcn-bench-") as tmp:
        workdir = Path(tmp)
        print(f"  dialog state: SQLite (WAL), a fresh database per run in {workdir}")
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
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
