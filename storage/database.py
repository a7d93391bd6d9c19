"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite, the file's folder is created and the connection tuned."""
    parsed = make_url(url)
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
        # WAL lets readers go on while one writer commits; NORMAL sync is durable in WAL
        # except for the last commits on power loss, not on a process crash.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: handlers still read the objects after the update's commit.
    return async_sessionmaker(engine, expire_on_commit=False)


# The session of the update being handled (set by the session middleware).
update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


async def commit_update_session() -> None:
    """Commit what the current update has written so far.

    The dialog state is written on a connection of its own. On SQLite, where one
    writer holds the file, writing it while the update's own transaction holds the
    write lock would wait for that lock until the busy timeout. So the dialog state
    never runs ahead of the data: whatever the handler stored before moving the
    dialog on is committed first.
    """
    session = update_session.get()
    if session is not None and session.in_transaction():
        await session.commit()


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT for the session's database, with its ON CONFLICT clauses (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
