"""people and rights: verified phones, staff who stay officers, deactivation, audit indexes

Revision ID: 0007
Revises: 0008

Staff granted before this version without a registration (status NULL) were vetted by an admin:
they become approved, since staff access now needs an approved person. Staff whose registration
is pending or rejected lose the role.
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN, not a batch: on SQLite a batch would copy `users` and drop
    # the old table, which the foreign keys of submissions and sign-ups forbid.
    op.add_column(
        "users",
        sa.Column("phone_verified", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column(
        "users",
        sa.Column("also_officer", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("deactivated_by", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_users_phone"), "users", ["phone"], unique=False)
    op.create_index("ix_audit_log_target_at", "audit_log", ["target", "at"], unique=False)
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.execute(
        "UPDATE users SET status = 'approved' WHERE role IN ('staff', 'admin') AND status IS NULL"
    )
    # Staff granted to a pending or rejected registration (a typed phone could do it): no
    # rights; approving the registration later makes them an officer, not staff.
    op.execute(
        "UPDATE users SET role = 'officer' WHERE role = 'staff' "
        "AND status IN ('pending', 'rejected')"
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_target_at", table_name="audit_log")
    op.drop_index(op.f("ix_users_phone"), table_name="users")
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), for the same reason as above.
    op.drop_column("users", "deactivated_by")
    op.drop_column("users", "deactivated_at")
    op.drop_column("users", "also_officer")
    op.drop_column("users", "phone_verified")
