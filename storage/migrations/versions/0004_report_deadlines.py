"""report deadlines, deadline reminders, and the index statistics read inspections by

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_deadlines",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "period"),
    )
    with op.batch_alter_table("report_deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_deadlines_due_on"), ["due_on"], unique=False)

    op.create_table(
        "deadline_reminders",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"]),
        sa.PrimaryKeyConstraint("form_id", "period", "unit_code"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_form_submitted", ["form_id", "submitted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_form_submitted")
    op.drop_table("deadline_reminders")
    with op.batch_alter_table("report_deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_deadlines_due_on"))
    op.drop_table("report_deadlines")
