"""Rows an update stages for its next commit, and how they are written.

Two kinds, the two every update writes: its claim in `handled_updates` and its dialog
state in `dialog_states`. They are written with one statement per kind for any number
of rows (executemany), which is what lets the group-commit writer take the rows of a
hundred updates in a single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Delete, Insert

from storage.dialects import insert_for
from storage.models import DialogState, HandledUpdate, utcnow

_NOTHING = {"state": None, "data": None}


@dataclass
class StagedRows:
    claims: list[dict[str, Any]] = field(default_factory=list)
    # key -> the columns to set; a key in `deleted` loses its row.
    dialog_states: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.claims or self.dialog_states or self.deleted)

    def claim(self, bot_id: int, update_id: int) -> None:
        self.claims.append({"bot_id": bot_id, "update_id": update_id, "handled_at": utcnow()})

    def set_dialog(self, key: str, **columns: Any) -> None:
        if key in self.deleted:
            # Deleted, then set again in the same update: the row starts empty.
            self.deleted.discard(key)
            self.dialog_states[key] = dict(_NOTHING)
        self.dialog_states.setdefault(key, {}).update(columns)

    def delete_dialog(self, key: str) -> None:
        self.dialog_states.pop(key, None)
        self.deleted.add(key)

    def staged_dialog(self, key: str) -> dict[str, Any] | None:
        """The columns staged for `key` (an emptied row when deleted); None when none."""
        if key in self.deleted:
            return dict(_NOTHING)
        return self.dialog_states.get(key)

    def extend(self, other: StagedRows) -> None:
        """Add the rows of a later update (the group-commit writer's batch)."""
        self.claims.extend(other.claims)
        for key in other.deleted:
            self.delete_dialog(key)
        for key, columns in other.dialog_states.items():
            self.set_dialog(key, **columns)


def statements(dialect: str, rows: StagedRows) -> list[tuple[Any, list[dict[str, Any]]]]:
    """(statement, parameter sets) that write `rows`: one executemany per kind of row."""
    out: list[tuple[Any, list[dict[str, Any]]]] = []
    if rows.claims:
        out.append((_claim_statement(dialect), rows.claims))
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    now = utcnow()
    for key, columns in rows.dialog_states.items():
        names = tuple(sorted(columns))
        by_columns.setdefault(names, []).append({"key": key, "updated_at": now, **columns})
    for names, params in by_columns.items():
        out.append((_upsert_statement(dialect, names), params))
    if rows.deleted:
        out.append((_delete_statement(), [{"dialog_key": key} for key in sorted(rows.deleted)]))
    return out


async def write_rows(connection: AsyncConnection, rows: StagedRows) -> None:
    """Write the rows in the connection's transaction (the caller commits)."""
    for statement, params in statements(connection.dialect.name, rows):
        await connection.execute(statement, params)


def write_rows_now(connection: Connection, rows: StagedRows) -> None:
    """The same, from synchronous code already on the database (a session event)."""
    for statement, params in statements(connection.dialect.name, rows):
        connection.execute(statement, params)


# Built once per dialect and column set: SQLAlchemy then reuses the compiled form.
@cache
def _claim_statement(dialect: str) -> Insert:
    # The claim was checked before it was staged; a row already there is an old claim of
    # the same id (ids start again lower after a long silence): it becomes this one.
    insert = insert_for(dialect, HandledUpdate.__table__)
    claim: Insert = insert.on_conflict_do_update(
        index_elements=["bot_id", "update_id"], set_={"handled_at": insert.excluded.handled_at}
    )
    return claim


@cache
def _upsert_statement(dialect: str, columns: tuple[str, ...]) -> Insert:
    insert = insert_for(dialect, DialogState.__table__)
    names = (*columns, "updated_at")
    upsert: Insert = insert.on_conflict_do_update(
        index_elements=["key"], set_={name: insert.excluded[name] for name in names}
    )
    return upsert


@cache
def _delete_statement() -> Delete:
    return delete(DialogState).where(DialogState.key == bindparam("dialog_key"))
