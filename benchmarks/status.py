"""How fast /thongke, /chuabaocao and /xuat answer on a realistic year-two database.

Seeds an SQLite database with 126 Hà Nội units × 24 months (12/2024 – 11/2026, "today"
being 27/11/2026): activity reports (most units, most months, some replaced and
revised) and inspection findings (~32 per unit and month), about 100,000 submissions
in all, with 1–2 approved officers per unit. Then it times, on that database:

* /thongke  — gathering the figures, the text and the chart PNG, for a month, a quarter
              and a year (the median of several runs);
* /chuabaocao — the units missing a report with their officers, and the text;
* the full Excel export of the biggest period (a whole year) through
  `python -m bot export`, in a child process whose peak memory (max RSS) is read;

and prints the query plans of the statements the two commands run, flagging any that
scans the submissions table instead of using an index. Sign-ups (issue 6) are not
seeded yet: that table does not exist.

    .venv/bin/python benchmarks/status.py              # seed (once, cached) and measure
    .venv/bin/python benchmarks/status.py --fresh      # seed again
    .venv/bin/python benchmarks/status.py --runs 15

Targets (issue 7): under 200 ms for each command; export under 10 s and 300 MB.
It is a measurement, not a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession  # noqa: E402

from bot.domain.periods import Period  # noqa: E402
from bot.domain.status import REPORT_FORM, dated_on  # noqa: E402
from bot.domain.units import UnitDirectory, units_of_province  # noqa: E402
from bot.forms import load_definitions  # noqa: E402
from bot.status import figures, render  # noqa: E402
from bot.status.chart import bar_chart, column_chart  # noqa: E402
from storage import migrate  # noqa: E402
from storage.database import create_engine, create_sessionmaker  # noqa: E402
from storage.models import RegistrationStatus, Role, Submission, SubmissionStatus, User  # noqa: E402
from storage.repositories import units as unit_rows  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
MONTHS = [
    f"{(2024 * 12 + 11 + i) // 12}-{(2024 * 12 + 11 + i) % 12 + 1:02d}" for i in range(24)
]  # 2024-12 … 2026-11
INSPECTIONS_PER_UNIT_MONTH = 32
AREAS = [
    "communication",
    "technology_transfer",
    "innovation",
    "standards_quality",
    "intellectual_property",
    "food_safety",
    "environment",
    "inspection",
    "rural_development",
]
CHECKS = ["measurement", "product_quality", "labelling", "standards", "barcodes"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
NAMES = ["Văn An", "Thị Bình", "Minh Châu", "Thu Hà", "Quốc Huy", "Thị Lan", "Đức Long"]


def _moment(rng: random.Random, day: date, latest: datetime) -> datetime:
    at = datetime(day.year, day.month, day.day, rng.randint(7, 17), rng.randint(0, 59), tzinfo=TZ)
    return min(at, latest).astimezone(UTC)


def _row(
    form: str, unit: str, officer: int, at: datetime, answers: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "form_id": form,
        "form_version": 1,
        "unit_code": unit,
        "officer_id": officer,
        "period": answers.get("period") if form == REPORT_FORM else None,
        "answers": answers,
        "status": extra.pop("status", SubmissionStatus.ACCEPTED),
        "draft_token": str(uuid.uuid4()),
        "replaces_id": None,
        "submitted_at": at,
        # A bulk INSERT runs no mapper events: the day a finding is about is set here.
        "occurred_on": dated_on(form, answers),
        **extra,
    }


async def seed(engine: AsyncEngine) -> int:
    """Fill the database; returns the number of submissions written."""
    rng = random.Random(7)
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    units = units_of_province(1)
    async with sessionmaker() as session:
        await unit_rows.sync_units(session, 1, units)
        officers: dict[str, list[int]] = {}
        next_id = 10_000
        for unit in units:
            for _ in range(rng.choice((1, 1, 2))):
                next_id += 1
                officers.setdefault(unit.code, []).append(next_id)
                session.add(
                    User(
                        id=next_id,
                        full_name=f"{rng.choice(SURNAMES)} {rng.choice(NAMES)}",
                        phone=f"+849{rng.randint(10_000_000, 99_999_999)}",
                        unit_code=unit.code,
                        role=Role.OFFICER,
                        status=RegistrationStatus.APPROVED,
                    )
                )
        await session.commit()
        total = 0
        batch: list[dict[str, Any]] = []

        async def flush(session: AsyncSession) -> None:
            nonlocal total
            if batch:
                await session.execute(insert(Submission), batch)
                total += len(batch)
                batch.clear()

        for month in MONTHS:
            year, number = (int(x) for x in month.split("-"))
            first = date(year, number, 1)
            after = (first + timedelta(days=32)).replace(day=1)
            current = month == MONTHS[-1]
            for unit in units:
                people = officers[unit.code]
                # Most units report most months; the current month is under way.
                if rng.random() < (0.6 if current else 0.93):
                    day = first + timedelta(days=rng.randint(18, 40))
                    answers = {
                        "period": month,
                        "areas": rng.sample(AREAS, rng.randint(1, 3)),
                        "activity_count": rng.randint(0, 12),
                        "participant_count": rng.randint(0, 300),
                        "main_content": "Tuyên truyền, phổ biến kiến thức KH&CN",
                        "budget_used": rng.choice((None, 500_000, 1_500_000, 12_000_000)),
                    }
                    state = rng.choices(
                        list(SubmissionStatus)[:3], weights=(2, 7, 1) if not current else (6, 3, 1)
                    )[0]
                    if rng.random() < 0.05:
                        batch.append(
                            _row(
                                REPORT_FORM,
                                unit.code,
                                people[0],
                                _moment(rng, day, NOW),
                                dict(answers),
                                status=SubmissionStatus.REPLACED,
                            )
                        )
                    batch.append(
                        _row(
                            REPORT_FORM,
                            unit.code,
                            people[0],
                            _moment(rng, day, NOW),
                            answers,
                            status=state,
                        )
                    )
                for _ in range(INSPECTIONS_PER_UNIT_MONTH if not current else 27):
                    day = first + timedelta(days=rng.randint(0, (after - first).days - 1))
                    if day > TODAY:
                        continue
                    violation = rng.random() < 0.2
                    answers = {
                        "inspection_date": day.isoformat(),
                        "facility_name": "Cửa hàng xăng dầu số 5",
                        "facility_address": "Quốc lộ 21",
                        "facility_type": rng.choice(["production", "business", "fuel_station"]),
                        "check_areas": rng.sample(CHECKS, 2),
                        "result": "violation" if violation else "no_violation",
                    }
                    if violation:
                        fined = rng.random() < 0.5
                        answers |= {
                            "violation_count": rng.randint(1, 3),
                            "violation_description": "Cân không đạt yêu cầu",
                            "handling": ["fine"] if fined else ["reminder"],
                        }
                        if fined:
                            answers["fine_amount"] = rng.choice((500_000, 2_000_000, 7_500_000))
                    batch.append(
                        _row(
                            "inspection",
                            unit.code,
                            rng.choice(people),
                            _moment(rng, day, NOW),
                            answers,
                            status=SubmissionStatus.SUBMITTED,
                        )
                    )
                if len(batch) >= 5000:
                    await flush(session)
        await flush(session)
        await session.commit()
    return total


async def _median_ms(runs: int, work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


async def measure(engine: AsyncEngine, runs: int) -> list[str]:
    """Time the two commands; return the SQL they ran (for the plans)."""
    sessionmaker = create_sessionmaker(engine)
    forms = load_definitions()
    async with sessionmaker() as session:
        units = list(UnitDirectory(await unit_rows.active_units(session, 1)))
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append(statement)

    def gettext(msgid: str) -> str:
        return msgid

    async def thongke(period: Period) -> None:
        async with sessionmaker() as session:
            stats = await figures.statistics(
                session, period, units, forms.get(REPORT_FORM), TODAY, TZ
            )
        render.statistics_text(stats, "vi", gettext)
        if stats.weekly:
            column_chart("t", [(d.strftime("%d/%m"), n) for d, n in stats.weekly], target=126)
        else:
            bar_chart("t", [(a.get("vi"), n) for a, n in stats.by_area])

    async def chuabaocao(period: Period) -> None:
        async with sessionmaker() as session:
            missing = await figures.missing_reports(session, period, units, TODAY)
        render.missing_texts(missing, len(units), period.label(), True, "vi", gettext)

    print(f"{'command':<26}{'period':<16}{'median ms':>10}{'max ms':>9}")
    for name, work in (("/thongke", thongke), ("/chuabaocao", chuabaocao)):
        for period in (
            Period.month(2026, 11),
            Period.month(2026, 10),
            Period.quarter(2026, 4),
            Period.whole_year(2025),
        ):
            await work(period)  # warm: the first run opens the connection and fills caches
            median, worst = await _median_ms(runs, lambda w=work, p=period: w(p))
            print(f"{name:<26}{period.label():<16}{median:>10.1f}{worst:>9.1f}")
    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    await thongke(Period.quarter(2026, 4))
    await chuabaocao(Period.quarter(2026, 4))
    event.remove(engine.sync_engine, "before_cursor_execute", capture)
    return statements


async def plans(engine: AsyncEngine, statements: list[str]) -> None:
    """EXPLAIN QUERY PLAN of each statement on submissions (parameters as NULL: the plan
    depends on the indexes, not on the values)."""
    print("\nQuery plans of the statements /thongke and /chuabaocao run:")
    seen = set()
    async with engine.connect() as connection:
        for statement in statements:
            if "submissions" not in statement or statement in seen:
                continue
            seen.add(statement)
            count = statement.count("?")
            rows = await connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, tuple([None] * count)
            )
            steps = [str(row[3]) for row in rows]
            scans = [s for s in steps if s.startswith("SCAN submissions")]
            head = " ".join(statement.split())[:95]
            print(f"  {'SCAN!' if scans else 'ok   '} {head}…")
            for step in steps:
                print(f"          {step}")


def export(database: Path, out: Path, period: str) -> tuple[float, float, str]:
    """The export through the command line, in a child process: (seconds, peak MB, output)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    env.pop("BOT_TOKEN", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--period", period, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    # ru_maxrss of the children: kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, done.stdout.strip()


async def database_figures(database: Path, runs: int) -> None:
    """Seed when needed, then time the commands and show their plans."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    async with engine.connect() as connection:
        has = (
            await connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'submissions'")
            )
        ).scalar()
        count = (
            (await connection.execute(text("SELECT count(*) FROM submissions"))).scalar()
            if has
            else 0
        )
    if not count:
        started = time.perf_counter()
        count = await seed(engine)
        print(f"seeded {count:,} submissions in {time.perf_counter() - started:.1f} s")
    async with engine.connect() as connection:
        by_form = (
            await connection.execute(
                text("SELECT form_id, count(*) FROM submissions GROUP BY form_id")
            )
        ).all()
    print("database:", json.dumps({str(form): int(n) for form, n in by_form}), database)
    print()
    statements = await measure(engine, runs)
    await plans(engine, statements)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="seed a new database")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per command and period")
    parser.add_argument(
        "--database", type=Path, default=Path(tempfile.gettempdir()) / "khcn-status-bench.db"
    )
    args = parser.parse_args()
    if args.fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.database}{suffix}").unlink(missing_ok=True)
    asyncio.run(database_figures(args.database, args.runs))

    print("\nExcel export (python -m bot export, a child process):")
    with tempfile.TemporaryDirectory() as folder:
        # First an empty year: what start-up and imports cost (ru_maxrss of the children is
        # their maximum, so the baseline must run first).
        base_seconds, base_peak, _ = export(args.database, Path(folder) / "empty.xlsx", "2000")
        out = Path(folder) / "year.xlsx"
        seconds, peak, said = export(args.database, out, "2025")
        size = out.stat().st_size / 1e6
    print(
        f"  Năm 2025: {seconds:.1f} s for the whole command, peak memory {peak:.0f} MB, "
        f"file {size:.1f} MB"
    )
    print(
        f"  of which start-up and imports (an empty export): {base_seconds:.1f} s, "
        f"{base_peak:.0f} MB"
    )
    print(f"  the export itself: {said}")


if __name__ == "__main__":
    main()
