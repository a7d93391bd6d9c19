"""What one update has written and not yet committed: its session, claim and dialog state.

The update's session carries whatever the handler stores (a report, a sign-up). The
update's claim (its update_id, so a redelivery is dropped) and its dialog-state rows are
staged here instead of being written at once, and all of it is committed together at
the next commit point: just before the bot says anything (`CommitBeforeSending`), and
when the update is done (`SessionPerUpdate`). So the user is only ever told what is
already true in the database, and the dialog state never runs ahead of the data.

When the handler wrote nothing through the session — a dialog step that checks an
answer and asks the next question — the staged rows go to the group-commit writer
(`storage.group_commit`), which commits the rows of many concurrent updates in one
transaction. Otherwise they are written in the session's own transaction, atomically
with the handler's data.

When the update fails, everything staged is dropped and the `on_discard` callbacks put
the in-memory caches back as they were at the last commit.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.staged_rows import StagedRows, write_rows

if TYPE_CHECKING:
    from storage.group_commit import GroupCommit


@dataclass(eq=False)
class UpdateWork:
    session: AsyncSession
    writer: GroupCommit | None = None
    rows: StagedRows = field(default_factory=StagedRows)
    _on_discard: list[Callable[[], None]] = field(default_factory=list)

    def on_discard(self, restore: Callable[[], None]) -> None:
        """Call `restore` if the update fails before its next commit."""
        self._on_discard.append(restore)

    async def commit(self) -> None:
        # When this raises, nothing of it was committed; the update fails and discard()
        # puts the caches back.
        rows, self.rows = self.rows, StagedRows()
        if rows and self.writer is not None and not self.session.in_transaction():
            await self.writer.commit(rows)
        else:
            if rows:
                await write_rows(await self.session.connection(), rows)
            if self.session.in_transaction():
                await self.session.commit()
        self._on_discard.clear()

    async def discard(self) -> None:
        self.rows = StagedRows()
        restores, self._on_discard = self._on_discard, []
        for restore in reversed(restores):
            restore()
        await self.session.rollback()


# The work of the update being handled (set by the session middleware).
update_work: ContextVar[UpdateWork | None] = ContextVar("update_work", default=None)


def current_session() -> AsyncSession | None:
    work = update_work.get()
    return work.session if work is not None else None


async def commit_update_work() -> None:
    """Commit what the current update has written and staged so far (nothing outside one)."""
    work = update_work.get()
    if work is not None:
        await work.commit()


def staged(key: str) -> dict[str, Any] | None:
    """The dialog-state columns the current update staged for `key`; None when none."""
    work = update_work.get()
    return work.rows.staged_dialog(key) if work is not None else None
