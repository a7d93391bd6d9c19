"""readable JSON: rewrite JSON values stored with \\u escapes as the text they stand for

Revision ID: 0013
Revises: 0011

Until now JSON columns were written with json.dumps' default ensure_ascii=True, so
"Cầu Giấy" was stored as "C\\u1ea7u Gi\\u1ea5y" and a department's own SQL
(`answers LIKE '%Cầu Giấy%'`) found nothing. The engine now writes Vietnamese as it is
(storage/database.py); this rewrites the rows stored before, once. Only the spelling of
the JSON text changes, never a value; the rows without escapes are not touched.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

# table → its JSON columns (all keyed by `id`)
JSON_COLUMNS = {
    "submissions": ("answers",),
    "audit_log": ("details",),
    "notices": ("buttons", "audience"),
}


def upgrade() -> None:
    bind = op.get_bind()
    # PostgreSQL's json type takes text only through a cast; SQLite stores the text as it is.
    value = "CAST(:value AS JSON)" if bind.dialect.name == "postgresql" else ":value"
    for table, columns in JSON_COLUMNS.items():
        for column in columns:
            rows = bind.execute(
                sa.text(f"SELECT id, CAST({column} AS TEXT) FROM {table} WHERE {column} IS NOT NULL")
            ).all()
            for row_id, stored in rows:
                if stored is None or "\\u" not in stored:
                    continue
                readable = json.dumps(json.loads(stored), ensure_ascii=False)
                if readable != stored:
                    bind.execute(
                        sa.text(f"UPDATE {table} SET {column} = {value} WHERE id = :id"),
                        {"value": readable, "id": row_id},
                    )


def downgrade() -> None:
    pass  # the escaped and the readable spelling are the same JSON values
