"""The migrations are the schema: they build it, match the models, and go down and up again."""

from __future__ import annotations

import json

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


async def test_findings_stored_before_0011_get_their_inspection_date(database_url: str) -> None:
    """Issue 14.4: the day a finding is about is filled in from its answers on upgrade."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy import text

    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    engine = create_engine(database_url)
    await migrate.upgrade(engine, "0006")
    rows = [
        (1, "inspection", {"inspection_date": "2026-11-20", "result": "violation"}),
        (2, "inspection", {"result": "no_violation"}),
        (3, "inspection", {"inspection_date": "hôm qua"}),
        (4, "activity_report", {"period": "2026-11"}),
    ]
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO units (code, name, province_code, kind, active) VALUES ('u', 'U', 1, 'ward', true)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO users (id, role, status, locale, created_at) "
                "VALUES (7, 'officer', 'approved', 'vi', :at)"
            ),
            {"at": at},
        )
        for ident, form, answers in rows:
            await connection.execute(
                text(
                    "INSERT INTO submissions (id, form_id, form_version, unit_code, officer_id, "
                    "answers, status, draft_token, submitted_at) VALUES (:id, :form, 1, 'u', 7, "
                    ":answers, 'submitted', :token, :at)"
                ),
                {
                    "id": ident,
                    "form": form,
                    "answers": json.dumps(answers),
                    "token": str(ident),
                    "at": at,
                },
            )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        found = dict(
            (await connection.execute(text("SELECT id, occurred_on FROM submissions"))).all()
        )
    await engine.dispose()
    assert str(found[1]) == "2026-11-20"
    assert found[2] is None and found[3] is None and found[4] is None


async def test_json_stored_with_escapes_is_made_readable(database_url: str) -> None:
    """Rows written before the engine kept Vietnamese as it is get rewritten once (0013)."""
    from sqlalchemy import text

    engine = create_engine(database_url)
    await migrate.upgrade(engine, "0006")
    escaped = '{"unit": "C\\u1ea7u Gi\\u1ea5y", "n": 1}'
    cast = "CAST(:details AS JSON)" if engine.dialect.name == "postgresql" else ":details"
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO audit_log (actor_id, action, target, details, at) "
                f"VALUES (1, 'test', 'x', {cast}, CURRENT_TIMESTAMP)"
            ),
            {"details": escaped},
        )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        stored = (
            await connection.execute(text("SELECT CAST(details AS TEXT) FROM audit_log"))
        ).one()[0]
        found = await connection.scalar(
            text("SELECT count(*) FROM audit_log WHERE CAST(details AS TEXT) LIKE '%Cầu Giấy%'")
        )
    await engine.dispose()
    assert "\\u" not in stored and found == 1
    assert json.loads(stored) == {"unit": "Cầu Giấy", "n": 1}


async def test_people_and_rights_upgrade_keeps_rows_and_fixes_staff(database_url: str) -> None:
    """Migration 0007 adds its columns in place (users is referenced by submissions), approves
    staff granted without a registration and takes the role from pending or rejected ones."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    script = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0007")
    before = script.down_revision
    assert isinstance(before, str)
    engine = create_engine(database_url)
    await migrate.upgrade(engine, before)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO units (code, name, province_code, kind, active) "
                "VALUES ('u', 'U', 1, 'ward', true)"
            )
        )
        for ident, role, status in (
            (1, "staff", None),
            (2, "staff", "pending"),
            (3, "officer", "approved"),
            (4, "staff", "rejected"),
        ):
            await connection.execute(
                text(
                    "INSERT INTO users (id, role, status, unit_code, created_at) "
                    "VALUES (:id, :role, :status, 'u', '2026-11-01 00:00:00')"
                ),
                {"id": ident, "role": role, "status": status},
            )
        await connection.execute(
            text(
                "INSERT INTO submissions (id, form_id, form_version, unit_code, officer_id, "
                "answers, status, draft_token, submitted_at) VALUES "
                "(1, 'activity_report', 1, 'u', 3, '{}', 'submitted', 't', '2026-11-01 00:00:00')"
            )
        )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT id, role, status, phone_verified, also_officer, deactivated_at "
                    "FROM users ORDER BY id"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (1, "staff", "approved", False, False, None),
        (2, "officer", "pending", False, False, None),
        (3, "officer", "approved", False, False, None),
        (4, "officer", "rejected", False, False, None),
    ]
    await migrate.downgrade(engine, before)
    await migrate.upgrade(engine)
    await engine.dispose()
