"""aiogram FSM storage in the project's database, so a restart mid-dialog loses nothing.

Every write is one atomic upsert (INSERT ... ON CONFLICT DO UPDATE): there is no
select-then-insert window in which two concurrent updates of one key can collide
on the primary key, the race that made a third-party SQL storage lose updates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import commit_update_session
from storage.models import DialogState, utcnow


class DatabaseStorage(BaseStorage):
    """Dialog state and data in the `dialog_states` table (SQLite or PostgreSQL)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    def _insert(self, dialect: str) -> Any:
        if dialect == "postgresql":
            return postgresql.insert(DialogState)
        return sqlite.insert(DialogState)

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        await commit_update_session()
        values["updated_at"] = utcnow()
        async with self._sessionmaker() as session:
            statement = self._insert(session.get_bind().dialect.name).values(
                key=self._key_builder.build(key), **values
            )
            statement = statement.on_conflict_do_update(index_elements=["key"], set_=values)
            await session.execute(statement)
            await session.commit()

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._upsert(key, state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessionmaker() as session:
            result = await session.execute(
                select(DialogState.state).where(DialogState.key == self._key_builder.build(key))
            )
            return result.scalar_one_or_none()

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=json.dumps(dict(data), ensure_ascii=False) if data else None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessionmaker() as session:
            result = await session.execute(
                select(DialogState.data).where(DialogState.key == self._key_builder.build(key))
            )
            raw = result.scalar_one_or_none()
        return dict(json.loads(raw)) if raw else {}

    async def clear(self, key: StorageKey) -> None:
        await commit_update_session()
        async with self._sessionmaker() as session:
            await session.execute(
                delete(DialogState).where(DialogState.key == self._key_builder.build(key))
            )
            await session.commit()

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
