"""repeating report deadlines (a rule per form; per-month deadlines become its exceptions), and
staff reminders claimed once per unit and month

Revision ID: 0011
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_deadline_rules",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("form_id"),
    )
    op.create_table(
        "staff_reminders",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("reminded_by", sa.BigInteger(), nullable=False),
        sa.Column("reminded_by_name", sa.String(length=200), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"]),
        sa.PrimaryKeyConstraint("form_id", "period", "unit_code"),
    )


def downgrade() -> None:
    op.drop_table("staff_reminders")
    op.drop_table("report_deadline_rules")
