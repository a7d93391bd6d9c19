"""one head: join the report-deadline (0004) and events (0005) branches

Revision ID: 0006
Revises: 0004, 0005

A plain `alembic upgrade head` needs a single head; databases already at both 0004 and 0005 move
here without any change to their tables. Every later migration follows this one in a line.
"""

revision = "0006"
down_revision = ("0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
