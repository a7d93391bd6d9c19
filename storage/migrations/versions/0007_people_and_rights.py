"""people and rights: verified phones, staff who stay officers, deactivation, audit indexes

Revision ID: 0007
Revises: 0011

Staff granted before this version without a registration (status NULL) were vetted by an admin:
they become approved, since staff access now needs an approved person. Staff whose registration
is pending or rejected lose the role.
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone_verified", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
        batch_op.add_column(
            sa.Column("also_officer", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deactivated_by", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_phone"), ["phone"], unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_target_at", ["target", "at"], unique=False)
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
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
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_at")
        batch_op.drop_index("ix_audit_log_target_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_phone"))
        batch_op.drop_column("deactivated_by")
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("also_officer")
        batch_op.drop_column("phone_verified")
