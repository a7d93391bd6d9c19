"""attachment captions: the text an officer typed with a photo or a file

Revision ID: 0010
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caption", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("caption")
