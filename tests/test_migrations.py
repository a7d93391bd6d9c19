"""The migrations are the schema: they build it, match the models, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import migrate
from storage.database import create_engine
from storage.models import Base


async def test_upgrade_builds_what_the_models_describe(database_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    await engine.dispose()


async def test_downgrade_to_nothing_and_up_again(database_url: str) -> None:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    await migrate.downgrade(engine, "base")

    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.connect() as connection:
        assert await connection.run_sync(tables) <= {"alembic_version"}
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert {"users", "units", "dialog_states", "handled_updates"} <= await connection.run_sync(
            tables
        )
    await engine.dispose()


async def test_sqlite_is_tuned(tmp_path: object) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await engine.dispose()
    assert (journal, keys) == ("wal", 1) and busy and busy >= 5000


def test_history_has_one_head() -> None:
    """`alembic upgrade head` (the documented command) fails when the history forks."""
    from alembic.script import ScriptDirectory

    assert len(ScriptDirectory.from_config(migrate.alembic_config()).get_heads()) == 1
