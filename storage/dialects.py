"""The INSERT with ON CONFLICT clauses of each database the bot runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect: str, table: Any) -> Any:
    """INSERT for the named dialect ("postgresql" or "sqlite"), with its ON CONFLICT clauses."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
