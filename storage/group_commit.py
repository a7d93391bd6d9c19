"""Commit the staged rows of many concurrent updates in one transaction.

A dialog step that writes only its claim and its dialog state would otherwise pay a
transaction of its own — on SQLite a trip to the database thread for each statement
and the commit, one writer at a time. Here each update hands its rows over and waits;
one task writes everything handed over since its last commit with one statement per
kind of row, commits, and only then lets every waiting update go on to reply. Under
load the batches grow by themselves (what arrives during one commit is the next
batch); alone, an update waits for its own commit only.

When a batch fails, each update's rows are tried alone, so one bad row fails its own
update and not the other ninety-nine.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.staged_rows import StagedRows, write_rows

log = logging.getLogger(__name__)
CLOSE_GRACE_SECONDS = 20


class GroupCommit:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._waiting: list[tuple[StagedRows, asyncio.Future[None]]] = []
        self._writing: list[tuple[StagedRows, asyncio.Future[None]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.batches = 0
        self.updates = 0

    async def commit(self, rows: StagedRows) -> None:
        """Return once `rows` are committed; raise what prevented it."""
        if self._closed:
            raise RuntimeError("the database writer is closed")
        self._start()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, done))
        self._wakeup.set()
        await done

    def commit_later(self, rows: StagedRows) -> None:
        """Hand `rows` over without waiting for their commit; a failure is only logged.

        For rows whose loss breaks no promise made to a user: an update's claim, after
        the update has been answered (`storage.update_work`).
        """
        if self._closed:
            log.warning("rows handed over after the database writer was closed: dropped")
            return
        self._start()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_log_failure)
        self._waiting.append((rows, done))
        self._wakeup.set()

    async def settled(self) -> None:
        """Return once everything handed over so far is committed (or has failed)."""
        while pending := [d for _, d in (*self._writing, *self._waiting) if not d.done()]:
            await asyncio.wait(pending)

    async def close(self) -> None:
        """After the last update (the application waits for them): stop the writer."""
        self._closed = True
        # What was handed over (claims committed later) is written first, for a while.
        pending = [done for _, done in (*self._writing, *self._waiting) if not done.done()]
        if pending and self._task is not None and not self._task.done():
            await asyncio.wait(pending, timeout=CLOSE_GRACE_SECONDS)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        left, self._waiting = self._waiting, []
        for _, done in left:
            _settle(done, RuntimeError("the database writer was closed"))

    def _start(self) -> None:
        if self._task is None or self._task.done():
            # A context of its own: started by the first update, it must not keep that
            # update's context (its session, its work) for the life of the process.
            self._task = asyncio.create_task(
                self._run(), name="group-commit", context=contextvars.Context()
            )

    async def _run(self) -> None:
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                self._writing, self._waiting = self._waiting, []
                if self._writing:
                    await self._commit_batch(self._writing)
                self._writing = []
        finally:
            # Cancelled mid-batch (at close): its updates are told, not left waiting.
            for _, done in self._writing:
                _settle(done, RuntimeError("the database writer was closed"))

    async def _commit_batch(self, batch: list[tuple[StagedRows, asyncio.Future[None]]]) -> None:
        rows = StagedRows()
        for staged, _ in batch:
            rows.extend(staged)
        try:
            await self._write(rows)
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error)
                return
            for staged, done in batch:
                try:
                    await self._write(staged)
                except Exception as alone:
                    _settle(done, alone)
                else:
                    _settle(done, None)
            return
        self.batches += 1
        self.updates += len(batch)
        for _, done in batch:
            _settle(done, None)

    async def _write(self, rows: StagedRows) -> None:
        # A connection from the pool for each batch (one per some dozens of updates under
        # load): the pool's pre-ping then finds a connection the server has dropped.
        async with self._engine.begin() as connection:
            await write_rows(connection, rows)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():  # its update was cancelled meanwhile
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


def _log_failure(done: asyncio.Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("could not store that an update was handled: %s", done.exception())
