"""Users by id in memory, for the one consumer of updates (long polling).

Every update needs its sender's row (role, approval, language), and the rows change
rarely: on registration, approval, a role or language change. A cached row is merged
into the update's session (no SQL), so a handler may change it as before.

Any session of this application that writes to `users` — an ORM flush or an UPDATE,
INSERT or DELETE statement — empties the cache at once and again when that session
commits or rolls back; a row read from the database while such a write was under way
is not kept (the generation moved on). Only for long polling: another process writing
to `users` would go unseen.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, make_transient_to_detached
from sqlalchemy.sql.elements import TextClause

from storage.models import User

CACHE_SIZE = 50_000
_WROTE_USERS = "wrote_users"
_WRITES_USERS_TEXT = re.compile(r"^\s*(update|insert\s+into|delete\s+from)\s+\"?users\b", re.I)
_NOT_CACHED = object()


class UserCache:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._rows: OrderedDict[int, User | None] = OrderedDict()
        self._generation = 0
        session_class = sessionmaker.kw.get("sync_session_class", Session)
        self._listeners: list[tuple[Any, str, Any]] = [
            (session_class, "do_orm_execute", self._on_execute),
            (session_class, "before_flush", self._on_flush),
            (session_class, "after_commit", self._on_end),
            (session_class, "after_rollback", self._on_end),
            (session_class, "after_soft_rollback", self._on_soft_rollback),
        ]
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)

    def close(self) -> None:
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)
        self._rows.clear()

    async def get(self, session: AsyncSession, user_id: int) -> User | None:
        cached = self._rows.get(user_id, _NOT_CACHED)
        if cached is None:
            self._rows.move_to_end(user_id)
            return None
        if isinstance(cached, User):
            self._rows.move_to_end(user_id)
            # merge(load=False) neither flushes nor loads: no SQL, so the sync Session's
            # method is safe here, and spares the greenlet hop the async one costs (about
            # as much again as the merge).
            return session.sync_session.merge(cached, load=False)
        generation = self._generation
        user = await session.get(User, user_id)
        if generation == self._generation and not session.info.get(_WROTE_USERS):
            self._rows[user_id] = _detached_copy(user) if user is not None else None
            if len(self._rows) > CACHE_SIZE:
                self._rows.popitem(last=False)
        return user

    def _forget_all(self) -> None:
        self._generation += 1
        self._rows.clear()

    def _wrote_users(self, session: Session) -> None:
        session.info[_WROTE_USERS] = True
        self._forget_all()

    def _on_execute(self, state: ORMExecuteState) -> None:
        if state.is_select:
            return
        statement = state.statement
        if isinstance(statement, TextClause):
            if _WRITES_USERS_TEXT.match(statement.text):
                self._wrote_users(state.session)
            return
        table = getattr(statement, "table", None)
        if table is not None and getattr(table, "name", None) == User.__tablename__:
            self._wrote_users(state.session)

    def _on_flush(self, session: Session, _context: UOWTransaction, _instances: Any) -> None:
        if any(isinstance(o, User) for o in (*session.new, *session.dirty, *session.deleted)):
            self._wrote_users(session)

    def _on_end(self, session: Session) -> None:
        # After the commit (or rollback) is through: a reader from now on sees it.
        if session.info.pop(_WROTE_USERS, False):
            self._forget_all()

    def _on_soft_rollback(self, session: Session, _previous: Any) -> None:
        self._on_end(session)


def _detached_copy(user: User) -> User:
    """A copy no session owns, for merging into later sessions without SQL."""
    mapper = inspect(User)
    copy = User(**{attr.key: getattr(user, attr.key) for attr in mapper.column_attrs})
    make_transient_to_detached(copy)
    return copy
