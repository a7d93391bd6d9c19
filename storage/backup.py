"""Backup and restore of the SQLite database (PostgreSQL has pg_dump and pg_restore).

A backup uses SQLite's online backup API (the sqlite3 module's `Connection.backup`):
all pages are copied in one step under one read transaction, so the copy is the
database as of one commit, while the bot goes on writing (WAL: the reader does not
block the writer). The copy is checked (`PRAGMA integrity_check`) and is one file
(journal_mode=DELETE), written beside its final name and renamed into place.

A restore checks the file first — SQLite, intact, this bot's schema, a migration this
version knows (an older one is brought up to date at the next start) — and refuses while
a bot process has the database open (the lock file `bot.app` holds, see
`storage.database.RunningLock`). The database it replaces is kept beside it, with its
-wal and -shm files, which must never meet the restored file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.database import DatabaseProblem, RunningLock, sqlite_path
from storage.migrate import alembic_config

# Tables that make a file this bot's database (the oldest migration has them all).
OUR_TABLES = {"alembic_version", "users", "units", "dialog_states", "handled_updates"}
SIDE_FILES = ("-wal", "-shm")


class BackupProblem(DatabaseProblem):
    """A backup or a restore that can't be done; the message says why and what to do."""


@dataclass(frozen=True)
class Checked:
    revision: str
    submissions: int


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def database_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupProblem(
            "This database is not a SQLite file. For PostgreSQL use its own tools: "
            "pg_dump --format=custom --file=khcn-bot.dump DATABASE to back up, "
            "pg_restore --clean --if-exists --dbname=DATABASE khcn-bot.dump to restore "
            "(see README, Backup and restore)."
        )
    return path


def default_backup_path(database: Path) -> Path:
    return database.parent / "backups" / f"{database.stem}-{_stamp()}.db"


def backup(url: str, out: Path | None = None) -> tuple[Path, Checked]:
    """Copy the database to `out` (default: backups/ beside it) while the bot may run."""
    database = database_file(url)
    if not database.exists():
        raise BackupProblem(f"No database at {database}: nothing to back up.")
    target = (out or default_backup_path(database)).resolve()
    if target == database:
        raise BackupProblem("The backup can't be the database itself; choose another --out.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # The bot's busy timeout: a checkpoint under way may hold the file briefly.
    source = sqlite3.connect(database, timeout=15)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # every page in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            copy.commit()
        finally:
            copy.close()
    finally:
        source.close()
    checked = check(partial)
    os.replace(partial, target)
    return target, checked


def check(path: Path) -> Checked:
    """That `path` is an intact database of this bot, at a migration this version knows."""
    if not path.is_file():
        raise BackupProblem(f"No file at {path}.")
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            result = [row[0] for row in db.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupProblem(
                    f"{path} is damaged (integrity check: {'; '.join(result[:3])})."
                )
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            missing = OUR_TABLES - tables
            if missing:
                raise BackupProblem(
                    f"{path} is not a database of this bot "
                    f"(it has no {', '.join(sorted(missing))})."
                )
            revisions = [row[0] for row in db.execute("SELECT version_num FROM alembic_version")]
            submissions = (
                db.execute("SELECT count(*) FROM submissions").fetchone()[0]
                if "submissions" in tables
                else 0
            )
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"{path} is not a SQLite database ({error}).") from error
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if len(revisions) != 1:
        raise BackupProblem(f"{path} has no single migration version ({revisions}).")
    if revisions[0] not in known:
        raise BackupProblem(
            f"{path} is at migration {revisions[0]}, which this version of the bot does not "
            "have: it comes from a newer version. Upgrade the bot, then restore."
        )
    return Checked(revisions[0], submissions)


def restore(url: str, source: Path) -> tuple[Path, Path | None, Checked]:
    """Put the backup `source` in place of the database; (database, kept old one, check)."""
    database = database_file(url)
    source = source.resolve()
    if source == database:
        raise BackupProblem("That file is the database itself.")
    checked = check(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    with RunningLock(database, exclusive=True) as lock:
        if not lock.held:
            raise BackupProblem(
                f"The bot is running on {database}: stop it first (every process: "
                "run, webhook, demo), then restore."
            )
        staged = database.with_name(database.name + ".restoring")
        staged.unlink(missing_ok=True)
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(staged)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        kept: Path | None = None
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{_stamp()}")
            os.replace(database, kept)
        for suffix in SIDE_FILES:  # the old file's log must never meet the new file
            side = database.with_name(database.name + suffix)
            if side.exists() and kept is not None:
                os.replace(side, kept.with_name(kept.name + suffix))
            elif side.exists():
                side.unlink()
        os.replace(staged, database)
    return database, kept, checked
