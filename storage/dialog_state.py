"""aiogram FSM storage in the project's database, so a restart mid-dialog loses nothing.

Every write is an atomic upsert (INSERT ... ON CONFLICT DO UPDATE): there is no
select-then-insert window in which two concurrent updates of one key can collide
on the primary key, the race that made a third-party SQL storage lose updates.

Inside an update, writes are staged on the update's work (`storage.update_work`) and
committed with it at its next commit point — before the bot replies, atomically with
what the handler stored, or through the group-commit writer when the handler stored
nothing else. A set_state and an update_data in one step are one row written once.
Outside an update (a test, a background job) each write is committed at once.

With `cache=True` — only when this process is the one consumer of updates, as with
long polling — reads are served from memory, and the cache holds whole rows, so what
is staged is always the whole row; a write that changes nothing (clearing a dialog
that is not under way) is not staged at all, so a read-only command writes nothing. When an update fails, its staged rows are dropped
and the cache is put back as it was at the update's last commit.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import DialogState
from storage.staged_rows import StagedRows, write_rows
from storage.update_work import current_session, staged, update_work

CACHE_SIZE = 50_000
_MISSING = object()
Row = tuple[str | None, dict[str, Any]]


class DatabaseStorage(BaseStorage):
    """Dialog state and data in the `dialog_states` table (SQLite or PostgreSQL)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
        *,
        cache: bool = False,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any]]] | None = (
            OrderedDict() if cache else None
        )

    def _cached(self, key: str) -> Any:
        if self._cache is None or key not in self._cache:
            return _MISSING
        self._cache.move_to_end(key)
        return self._cache[key]

    def _remember(self, key: str, row: Row | None) -> None:
        if self._cache is None:
            return
        if row is None:
            self._cache.pop(key, None)
            return
        self._cache[key] = row
        self._cache.move_to_end(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def _load(self, key: str) -> Row:
        cached = self._cached(key)
        if cached is not _MISSING:
            state, data = cached
            return state, dict(data)
        statement = select(DialogState.state, DialogState.data).where(DialogState.key == key)
        session = current_session()
        if session is not None:
            row = (await session.execute(statement)).first()
        else:
            async with self._sessionmaker() as own:
                row = (await own.execute(statement)).first()
        state, data = (row[0], row[1]) if row else (None, None)
        # What this update staged is read over what is stored (without a cache, or when
        # the key left the cache before the update's commit).
        columns = staged(key) or {}
        state, data = columns.get("state", state), columns.get("data", data)
        loaded = (state, json.loads(data) if data else {})
        self._remember(key, loaded)
        return loaded[0], dict(loaded[1])

    async def _write(self, key: str, **columns: Any) -> None:
        """Stage the columns on the current update, or commit them now outside one."""
        delete = self._cache is not None and columns == {"state": None, "data": None}
        work = update_work.get()
        if work is None:
            rows = StagedRows()
            if delete:
                rows.delete_dialog(key)
            else:
                rows.set_dialog(key, **columns)
            async with self._sessionmaker() as session:
                await write_rows(await session.connection(), rows)
                await session.commit()
            return
        if self._cache is not None and work.rows.staged_dialog(key) is None:
            # The first change of this key since the update's last commit: the cache holds
            # the committed row, which a failure of the update brings back.
            committed = self._cached(key)
            work.on_discard(
                lambda: self._remember(key, None if committed is _MISSING else committed)
            )
        if delete:
            work.rows.delete_dialog(key)
        else:
            work.rows.set_dialog(key, **columns)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        name = state.state if isinstance(state, State) else state
        built = self._key_builder.build(key)
        if self._cache is None:
            await self._write(built, state=name)
            return
        current, data = await self._load(built)
        if current == name:
            return  # nothing changes: no write (a read-only command needs none)
        await self._write(built, state=name, data=_dumps(data))
        self._remember(built, (name, data))

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(self._key_builder.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        built = self._key_builder.build(key)
        text = _dumps(data)
        if self._cache is None:
            await self._write(built, data=text)
            return
        state, current = await self._load(built)
        if current == (json.loads(text) if text else {}):
            return  # nothing changes: no write
        await self._write(built, state=state, data=text)
        # What a restart would read back: JSON's types, not the caller's objects.
        self._remember(built, (state, json.loads(text) if text else {}))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(self._key_builder.build(key))
        return data

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


def _dumps(data: Mapping[str, Any]) -> str | None:
    return json.dumps(dict(data), ensure_ascii=False) if data else None
