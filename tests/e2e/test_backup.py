"""`python -m bot backup` while submissions are being written, then `restore`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from bot.emulator import FakeBotAPI
from storage.models import Submission
from storage.repositories import submissions, users
from tests.harness import ADMIN_ID, RunningBot

ROOT = Path(__file__).resolve().parents[2]


async def _bot_command(*args: str, database: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**env, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _kept(folder: Path) -> list[Path]:
    """The databases a restore replaced (kept beside the restored one)."""
    return list(folder.glob("bot.db.before-restore-*"))


def _ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM submissions ORDER BY id")]


async def test_backup_under_load_then_restore_finds_every_submission(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "bot.db"
    running = RunningBot(api, f"sqlite+aiosqlite:///{database}")
    app = await running.start()
    async with app.sessionmaker() as session:
        officer = await users.ensure_admin(session, ADMIN_ID, "Admin")
        await session.commit()
    unit = next(iter(app.units)).code
    committed: list[int] = []
    stop = asyncio.Event()
    enough = asyncio.Event()

    async def write_submissions() -> None:
        """As officers sending findings: one transaction each, as fast as it goes."""
        while not stop.is_set():
            async with app.sessionmaker() as session:
                stored, _ = await submissions.store(
                    session,
                    form_id="inspection",
                    form_version=1,
                    unit_code=unit,
                    officer_id=officer.id,
                    period=None,
                    answers={"note": "x" * 2000},
                    files=[],
                    token=str(uuid.uuid4()),
                    replaces_id=None,
                )
                await session.commit()
                committed.append(stored.id)
            if len(committed) >= 200:
                enough.set()
            await asyncio.sleep(0)

    writer = asyncio.create_task(write_submissions())
    try:
        await asyncio.wait_for(enough.wait(), timeout=120)
        before_backup = list(committed)
        backup = tmp_path / "backup.db"
        code, out, err = await _bot_command("backup", "--out", str(backup), database=database)
        after_backup = len(committed)
        assert code == 0, err
        assert "Backed up to" in out
        # While the bot runs, a restore refuses.
        code, out, err = await _bot_command("restore", str(backup), database=database)
        assert code == 2 and "The bot is running" in err, (out, err)
    finally:
        stop.set()
        await writer
    assert after_backup > len(before_backup)  # the writing went on during the backup
    saved = _ids(backup)
    # One consistent moment: everything committed before the backup, in commit order
    # with no gap, and nothing that was not committed.
    assert saved == committed[: len(saved)] and len(saved) >= len(before_backup)
    with sqlite3.connect(backup) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    await running.stop()
    code, out, err = await _bot_command("restore", str(backup), database=database)
    assert code == 0, err
    assert "Restored" in out and "kept as" in out
    assert len(_kept(database.parent)) == 1
    app = await running.start()
    try:
        async with app.sessionmaker() as session:
            restored = list(await session.scalars(select(Submission.id).order_by(Submission.id)))
        assert restored == saved
        assert set(before_backup) <= set(restored)
        # The restored bot serves.
        user = api.user(555_010)
        await user.send("/start")
        await user.expect("/dangky")
    finally:
        await running.stop()


async def test_restore_refuses_what_is_not_a_sound_backup(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    code, _, err = await _bot_command("migrate", database=database)
    assert code == 0, err
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    newer = tmp_path / "newer.db"
    code, _, err = await _bot_command("backup", "--out", str(newer), database=database)
    assert code == 0, err
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    expected = {
        junk: "is not a SQLite database",
        other: "is not a database of this bot",
        newer: "Upgrade the bot",
        tmp_path / "missing.db": "No file at",
    }
    for backup, message in expected.items():
        code, _, err = await _bot_command("restore", str(backup), database=database)
        assert code == 2 and message in err, (backup, err)
        assert "Traceback" not in err
    assert not _kept(tmp_path)  # nothing was replaced


async def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        cwd=ROOT,
        env={**env, "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/none"},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 2 and "pg_dump" in err.decode()
