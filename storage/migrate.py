"""Apply the Alembic migrations: the only way the schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import DatabaseProblem

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class DatabaseFromNewerBot(DatabaseProblem):
    """The database was migrated by a newer version of the bot than this one."""


def unknown_revisions(connection: Connection) -> list[str]:
    """The database's migrations that this version of the bot does not have."""
    current = MigrationContext.configure(connection).get_current_heads()
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    return sorted(set(current) - known)


def check_known(connection: Connection) -> None:
    unknown = unknown_revisions(connection)
    if unknown:
        raise DatabaseFromNewerBot(
            f"The database is at migration {', '.join(unknown)}, which this version of the "
            "bot does not have: it was last used by a newer version. Upgrade the bot to that "
            "version (or newer) and start it again; do not run this older version on it."
        )


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the database to `revision` inside one transaction."""

    def _upgrade(connection: Connection) -> None:
        check_known(connection)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
