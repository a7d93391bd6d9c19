"""repeating report deadlines (a rule per form; per-month deadlines become its exceptions),
staff reminders claimed once per unit and month, and the day a finding is about
(`submissions.occurred_on`, from the inspection date; filled in for the findings stored)

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


    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_submissions_form_occurred",
            ["form_id", "occurred_on", "submitted_at"],
            unique=False,
        )
    # The findings already stored: their inspection date, when it is an ISO date.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE submissions SET occurred_on = CAST(answers->>'inspection_date' AS DATE) "
            "WHERE form_id = 'inspection' "
            "AND answers->>'inspection_date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
        )
    else:
        op.execute(
            "UPDATE submissions SET occurred_on = json_extract(answers, '$.inspection_date') "
            "WHERE form_id = 'inspection' AND json_extract(answers, '$.inspection_date') "
            "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_form_occurred")
        batch_op.drop_column("occurred_on")
    op.drop_table("staff_reminders")
    op.drop_table("report_deadline_rules")
