"""zalo: accounts on messengers, Zalo updates recorded before they are handled

Revision ID: 0014
Revises: 0007

A person stays one row of `users`; `accounts` says where they can be reached. Telegram
people keep their Telegram id as users.id (no row needed until they link a second
messenger); people who come first on Zalo get ids below -2^53, which no Telegram user or
chat id reaches (Telegram's fit in 52 bits), so every table keyed by a user or chat id
(dialog state, deliveries, outbox, sign-ups) keeps working unchanged.
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("messenger", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("messenger", "external_id"),
    )
    op.create_index(op.f("ix_accounts_user_id"), "accounts", ["user_id"], unique=False)
    op.create_table(
        "zalo_updates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_zalo_updates_finished_at"), "zalo_updates", ["finished_at"], unique=False
    )
    op.add_column(
        "attachments",
        sa.Column(
            "messenger", sa.String(length=16), nullable=False, server_default="telegram"
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("messenger")
    op.drop_index(op.f("ix_zalo_updates_finished_at"), table_name="zalo_updates")
    op.drop_table("zalo_updates")
    op.drop_index(op.f("ix_accounts_user_id"), table_name="accounts")
    op.drop_table("accounts")
