"""What one update has written and not yet committed: its session, claim and dialog state.

The update's session carries whatever the handler stores (a report, a sign-up). The
update's claim (its update_id, so a redelivery is dropped) and its dialog-state rows are
staged here instead of being written at once, and all of it is committed together at
the next commit point: just before the bot says anything (`CommitBeforeSending`), when
the update is done (`SessionPerUpdate`), and whenever a handler commits its session
itself (a `before_commit` event writes the staged rows into that transaction). So the
user is only ever told what is already true in the database, and the dialog state never
runs ahead of the data.

When the session never reached the database — a dialog step that checks an answer and
asks the next question — the staged rows go to the group-commit writer
(`storage.group_commit`), which commits the rows of many concurrent updates in one
transaction. Otherwise they are written in the session's own transaction, atomically
with the handler's data.

A reply that changed nothing (a read-only command: /start, /help, a status) does not
wait for its claim to be committed: the claim alone is committed after the reply, and
if that fails (another process holds SQLite's write lock) it is logged, not apologised
for; this process still remembers the update_id. So a write lock held elsewhere holds
up only the updates that write.

When the update fails, everything staged is dropped and the `on_discard` callbacks put
the in-memory caches back as they were at the last commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from storage.staged_rows import StagedRows, write_rows_now

if TYPE_CHECKING:
    from storage.group_commit import GroupCommit

log = logging.getLogger(__name__)
_WORK = "update_work"
_ON_DATABASE = "on_database"
_WROTE = "wrote"
_SAVING = "saving"


@dataclass(eq=False)
class UpdateWork:
    session: AsyncSession
    writer: GroupCommit | None = None
    rows: StagedRows = field(default_factory=StagedRows)
    # Whether a commit of this update stored something of the user's (more than its claim).
    saved: bool = False
    _on_discard: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session.sync_session.info[_WORK] = self

    def on_discard(self, restore: Callable[[], None]) -> None:
        """Call `restore` if the update fails before its next commit."""
        self._on_discard.append(restore)

    def reached_database(self) -> bool:
        """Whether the session holds a connection or has changes to flush."""
        session = self.session.sync_session
        return bool(
            session.info.get(_ON_DATABASE) or session.new or session.dirty or session.deleted
        )

    def changes_something(self) -> bool:
        """Whether there is more to commit than the update's claim."""
        session = self.session.sync_session
        return bool(
            self.rows.dialog_states
            or self.rows.deleted
            or session.info.get(_WROTE)
            or session.new
            or session.dirty
            or session.deleted
        )

    async def commit(self) -> None:
        # When this raises, nothing of it was committed; the update fails and discard()
        # puts the caches back.
        saves = self.changes_something()
        if self.writer is not None and not self.reached_database():
            rows, self.rows = self.rows, StagedRows()
            if rows:
                await self.writer.commit(rows)
            self._on_discard.clear()
        elif self.rows or self.session.in_transaction():
            await self.session.commit()  # the staged rows go in with it (before_commit)
        self.saved = self.saved or saves

    async def commit_before_reply(self) -> None:
        """Commit what the user is about to be told; a bare claim waits for `finish`."""
        if self.changes_something():
            await self.commit()
        elif self.session.in_transaction():
            # A read-only transaction: end it (and give its connection back) before the
            # Bot API call, keeping the claim staged.
            claims, self.rows = self.rows, StagedRows()
            try:
                await self.session.commit()
            finally:
                self.rows = claims

    async def finish(self) -> None:
        """The update is done: commit the rest. A bare claim is handed to the writer
        without waiting (the next update of the same user must not wait for it behind a
        lock held elsewhere); its failure is only logged: the user has had their answer,
        and this process remembers the update_id."""
        if self.changes_something() or self.writer is None:
            await self.commit()
            return
        if self.session.in_transaction():
            await self.session.rollback()  # read-only: nothing in it to keep
        rows, self.rows = self.rows, StagedRows()
        if rows:
            self.writer.commit_later(rows)
        self._on_discard.clear()

    async def discard(self) -> None:
        self.rows = StagedRows()
        restores, self._on_discard = self._on_discard, []
        for restore in reversed(restores):
            restore()
        await self.session.rollback()

    async def close(self) -> None:
        self.session.sync_session.info.pop(_WORK, None)
        # A session that never reached the database holds nothing worth a greenlet hop.
        if self.session.sync_session.info.get(_ON_DATABASE):
            await self.session.close()


def track_update_work(session_class: type[Session]) -> None:
    """Install the session events this module relies on (on one application's sessions)."""

    @event.listens_for(session_class, "after_begin")
    def _on_database(session: Session, _tx: SessionTransaction, _conn: Connection) -> None:
        session.info[_ON_DATABASE] = True

    @event.listens_for(session_class, "after_transaction_end")
    def _off_database(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            session.info.pop(_ON_DATABASE, None)
            session.info.pop(_WROTE, None)
            session.info.pop(_SAVING, None)  # a commit that failed saved nothing

    @event.listens_for(session_class, "do_orm_execute")
    def _executed(state: ORMExecuteState) -> None:
        # Anything but a SELECT may write (a text() statement too): commit it before
        # the reply, as every update did before bare claims could wait.
        if not state.is_select:
            state.session.info[_WROTE] = True

    @event.listens_for(session_class, "after_flush")
    def _flushed(session: Session, _context: Any) -> None:
        session.info[_WROTE] = True

    @event.listens_for(session_class, "before_commit")
    def _write_staged(session: Session) -> None:
        work: UpdateWork | None = session.info.get(_WORK)
        if work is not None:
            session.info[_SAVING] = work.changes_something()
        if work is not None and work.rows:
            rows, work.rows = work.rows, StagedRows()
            write_rows_now(session.connection(), rows)

    @event.listens_for(session_class, "after_commit")
    def _committed(session: Session) -> None:
        work: UpdateWork | None = session.info.get(_WORK)
        if work is not None:
            work._on_discard.clear()
            if session.info.pop(_SAVING, False):
                work.saved = True


# The work of the update being handled (set by the session middleware).
update_work: ContextVar[UpdateWork | None] = ContextVar("update_work", default=None)


def current_session() -> AsyncSession | None:
    work = update_work.get()
    return work.session if work is not None else None


async def commit_update_work() -> None:
    """Before the bot says something: commit what the current update has written and
    staged so far (nothing outside one; a bare claim waits for the update's end)."""
    work = update_work.get()
    if work is not None:
        await work.commit_before_reply()


def staged(key: str) -> dict[str, Any] | None:
    """The dialog-state columns the current update staged for `key`; None when none."""
    work = update_work.get()
    return work.rows.staged_dialog(key) if work is not None else None
