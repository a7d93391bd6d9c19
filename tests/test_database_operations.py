"""The database at start-up: a full or read-only disk, a database from a newer bot."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:ABCdefGhIJKlmnoPQRstuVWXyz_0123456789"


def _env(**env: str) -> dict[str, str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "DATABASE_"))
    }
    return {**clean, **env}


def _run_bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """A database file the current bot has migrated."""
    path = tmp_path / "made" / "bot.db"
    result = _run_bot("migrate", DATABASE_URL=f"sqlite+aiosqlite:///{path}")
    assert result.returncode == 0, result.stderr
    return path


def _run_on_small_disk(database: Path, mount: Path, then: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot run` on a copy of `database` on a 4 MB file system of its own
    (a private mount namespace: nothing outside this process sees it), after `then`."""
    mount.mkdir()
    script = (
        'mount -t tmpfs -o size=4m tmpfs "$1" && cp "$2" "$1/bot.db" && '
        f"{then} && "
        'exec "$3" -m bot run'
    )
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", str(mount), str(database), sys.executable],
        cwd=ROOT,
        env=_env(
            BOT_TOKEN=TOKEN,
            DATABASE_URL=f"sqlite+aiosqlite:///{mount}/bot.db",
            TELEGRAM_API_BASE="http://127.0.0.1:9",  # never reached: start-up stops before
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_full_disk_stops_start_up_naming_the_file(migrated: Path, tmp_path: Path) -> None:
    mount = tmp_path / "disk"
    fill = '{ dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null || true; }'
    result = _run_on_small_disk(migrated, mount, fill)
    assert result.returncode == 2, result.stderr
    assert f"{mount}/bot.db" in result.stderr and "the disk is full" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_read_only_disk_stops_start_up_naming_the_file(migrated: Path, tmp_path: Path) -> None:
    mount = tmp_path / "disk"
    result = _run_on_small_disk(migrated, mount, 'mount -o remount,ro "$1"')
    assert result.returncode == 2, result.stderr
    assert f"{mount}/bot.db" in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_from_a_newer_bot_says_to_upgrade(migrated: Path) -> None:
    with sqlite3.connect(migrated) as db:
        db.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    url = f"sqlite+aiosqlite:///{migrated}"
    for command in ("migrate", "run"):
        result = _run_bot(command, DATABASE_URL=url, BOT_TOKEN=TOKEN)
        assert result.returncode == 2, result.stderr
        assert "0042_from_the_future" in result.stderr
        assert "Upgrade the bot" in result.stderr
        assert "Can't locate revision" not in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(migrated) as db:  # left as it was
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0042_from_the_future",)
        ]


def test_export_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "bot.db"
    out = tmp_path / "x.xlsx"
    result = _run_bot(
        "export",
        "--period",
        "12/2026",
        "--out",
        str(out),
        DATABASE_URL=f"sqlite+aiosqlite:///{missing}",
    )
    assert result.returncode == 2
    assert f"No database at {missing}" in result.stderr and "--demo" in result.stderr
    assert "OperationalError" not in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists() and not out.exists()


def test_export_migrates_a_database_that_has_no_tables_yet(tmp_path: Path) -> None:
    empty = tmp_path / "bot.db"
    empty.touch()  # as an earlier version's export left it
    out = tmp_path / "x.xlsx"
    result = _run_bot(
        "export",
        "--period",
        "12/2026",
        "--out",
        str(out),
        DATABASE_URL=f"sqlite+aiosqlite:///{empty}",
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"PK")
