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

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.staged_rows import StagedRows, write_rows


class GroupCommit:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._waiting: list[tuple[StagedRows, asyncio.Future[None]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None
        self.batches = 0
        self.updates = 0

    async def commit(self, rows: StagedRows) -> None:
        """Return once `rows` are committed; raise what prevented it."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, done))
        self._wakeup.set()
        await done

    async def close(self) -> None:
        """After the last update (the application waits for them): let the connection go."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        waiting, self._waiting = self._waiting, []
        for _, done in waiting:
            _settle(done, RuntimeError("the database writer was closed"))
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._waiting = self._waiting, []
            if batch:
                await self._commit_batch(batch)

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
                except Exception as error:
                    _settle(done, error)
                else:
                    _settle(done, None)
            return
        self.batches += 1
        self.updates += len(batch)
        for _, done in batch:
            _settle(done, None)

    async def _write(self, rows: StagedRows) -> None:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = await self._engine.connect()
        try:
            async with connection.begin():
                await write_rows(connection, rows)
        except Exception:
            # A fresh connection next time: this one may be broken.
            self._connection = None
            await connection.close()
            raise


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():  # its update was cancelled meanwhile
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
