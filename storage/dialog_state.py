"""aiogram FSM storage in the project's database, so a restart mid-dialog loses nothing.

Every write is one atomic upsert (INSERT ... ON CONFLICT DO UPDATE): there is no
select-then-insert window in which two concurrent updates of one key can collide
on the primary key, the race that made a third-party SQL storage lose updates.

Inside an update it works on the update's own session (one connection per update:
two per update exhausted the pool under load), committing what the handler wrote
before the dialog moves on. With `cache=True` — only when this process is the one
consumer of updates, as with long polling — reads are served from memory and every
write still goes to the database first, so a restart reads it back.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import dialect_insert, update_session
from storage.models import DialogState, utcnow

CACHE_SIZE = 50_000
_MISSING = object()


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

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = update_session.get()
        if current is not None:
            yield current
            return
        async with self._sessionmaker() as session:
            yield session

    def _cached(self, key: str) -> Any:
        if self._cache is None or key not in self._cache:
            return _MISSING
        self._cache.move_to_end(key)
        return self._cache[key]

    def _remember(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        if self._cache is None:
            return
        self._cache[key] = (state, data)
        self._cache.move_to_end(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def _load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cached(key)
        if cached is not _MISSING:
            state, data = cached
            return state, dict(data)
        async with self._session() as session:
            row = (
                await session.execute(
                    select(DialogState.state, DialogState.data).where(DialogState.key == key)
                )
            ).first()
        state, data = (row[0], json.loads(row[1]) if row[1] else {}) if row else (None, {})
        self._remember(key, state, data)
        return state, dict(data)

    async def _upsert(self, key: str, **values: Any) -> None:
        values["updated_at"] = utcnow()
        async with self._session() as session:
            statement = dialect_insert(session, DialogState).values(key=key, **values)
            statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
            await session.execute(statement)
            # Also commits what the handler stored before moving the dialog on: the dialog
            # state never runs ahead of the data (and SQLite's single writer is let go).
            await session.commit()

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        name = state.state if isinstance(state, State) else state
        built = self._key_builder.build(key)
        _, data = await self._load(built) if self._cache is not None else (None, {})
        await self._upsert(built, state=name)
        if self._cache is not None:
            self._remember(built, name, data)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(self._key_builder.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        built = self._key_builder.build(key)
        state, _ = await self._load(built) if self._cache is not None else (None, {})
        plain = dict(data)
        await self._upsert(built, data=json.dumps(plain, ensure_ascii=False) if plain else None)
        if self._cache is not None:
            self._remember(built, state, json.loads(json.dumps(plain)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(self._key_builder.build(key))
        return data

    async def clear(self, key: StorageKey) -> None:
        built = self._key_builder.build(key)
        async with self._session() as session:
            await session.execute(delete(DialogState).where(DialogState.key == built))
            await session.commit()
        if self._cache is not None:
            self._cache.pop(built, None)

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
