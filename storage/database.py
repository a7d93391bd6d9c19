"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import errno
import fcntl
import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from storage.dialects import insert_for
from storage.update_work import track_update_work

SQLITE_BUSY_TIMEOUT_MS = 15_000
# FULL: a commit is on disk (the WAL fsynced) before the bot says "stored". NORMAL would
# keep the file consistent but may lose the last commits on a power cut, after the
# officer was told their submission was kept. Its cost is in benchmarks/README.md.
SQLITE_SYNCHRONOUS = "FULL"

# JSON columns (a submission's answers, audit details) keep Vietnamese as written, not as
# `\u1ea7` escapes: a department's own SQL (`answers LIKE '%Cầu Giấy%'`) then finds it.
json_serializer = functools.partial(json.dumps, ensure_ascii=False)


# Written and removed beside the database at start: room for the WAL to grow a little.
WRITE_PROBE_BYTES = 1024 * 1024
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


class DatabaseProblem(Exception):
    """The database can't be used as it is; the message tells the operator what to do."""


def sqlite_path(url: str) -> Path | None:
    """The SQLite file of `url` (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def check_writable(url: str) -> None:
    """Refuse to start on a SQLite file that can't be written, naming it.

    A read-only file, folder or file system, or a full disk, otherwise shows only at
    the first update that writes, as an apology to a user. SQLite writes the file and,
    beside it, its -wal and -shm files: both are tried here.
    """
    path = sqlite_path(url)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("r+b"):
                pass
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.write-check-", dir=path.parent)
        try:
            left = WRITE_PROBE_BYTES
            block = b"\0" * 65536
            while left > 0:
                left -= os.write(handle, block[: min(left, len(block))])
            os.fsync(handle)
        finally:
            os.close(handle)
            os.unlink(probe)
    except OSError as error:
        reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
        raise DatabaseProblem(
            f"Cannot write the database file {path}: {reason}. Free some space or make "
            "the file and its folder writable by the bot, then start it again."
        ) from error


class RunningLock:
    """An advisory lock on `<database>.lock` (flock): every bot process holds it shared
    while it runs; a restore needs it exclusive, so it can't replace the file under a
    running bot, nor can a bot start during a restore."""

    def __init__(self, database: Path, *, exclusive: bool = False) -> None:
        self.path = database.with_name(database.name + ".lock")
        self.exclusive = exclusive
        self.held = False
        self._fd: int | None = None

    @classmethod
    def for_url(cls, url: str) -> RunningLock | None:
        path = sqlite_path(url)
        return cls(path) if path is not None else None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            return False
        self.held = True
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file lets go of the lock
            self._fd = None
        self.held = False

    def __enter__(self) -> RunningLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def hold_running_lock(url: str) -> RunningLock | None:
    """Taken by each bot process at start (SQLite only); refused during a restore."""
    lock = RunningLock.for_url(url)
    try:
        acquired = lock is None or lock.acquire()
    except OSError:
        check_writable(url)  # names a read-only or full disk
        raise
    if not acquired:
        raise DatabaseProblem(
            f"The database {sqlite_path(url)} is being restored; start the bot when the "
            "restore has finished."
        )
    return lock


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite, the file's folder is created and the connection tuned."""
    parsed = make_url(url)
    kwargs.setdefault("json_serializer", json_serializer)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer commits.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: handlers still read the objects after the update's commit.
    # A Session class of its own, so that session event listeners (the update work's,
    # the user cache's) hear this application's sessions only.
    session_class = type("ApplicationSession", (Session,), {})
    track_update_work(session_class)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT for the session's database, with its ON CONFLICT clauses (PostgreSQL or SQLite)."""
    return insert_for(session.get_bind().dialect.name, table)
