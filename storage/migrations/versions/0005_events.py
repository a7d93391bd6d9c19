"""events: training courses and conferences, invited units, sign-ups, reminders

Revision ID: 0005
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
# A branch beside 0004 on purpose (features land side by side; `upgrade heads` applies all).
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "course", "conference", "workshop",
                name="eventkind", native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("signup_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invite_all", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open", "closed", "cancelled",
                name="eventstatus", native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("draft_token", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_token"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_status_starts", ["status", "starts_at"], unique=False)

    op.create_table(
        "event_units",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"]),
        sa.PrimaryKeyConstraint("event_id", "unit_code"),
    )

    op.create_table(
        "event_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed", "waiting", "cancelled", "absent",
                name="signupstatus", native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("attendees", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_signups_event_user"),
    )
    with op.batch_alter_table("event_signups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_signups_event_status_seq", ["event_id", "status", "seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_signups_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "event_reminders",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "kind"),
    )
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_reminders_due_at"), ["due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_reminders_due_at"))
    op.drop_table("event_reminders")
    with op.batch_alter_table("event_signups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_signups_user_id"))
        batch_op.drop_index("ix_event_signups_event_status_seq")
    op.drop_table("event_signups")
    op.drop_table("event_units")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_status_starts")
    op.drop_table("events")
