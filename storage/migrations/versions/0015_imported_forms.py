"""imported XLSForm workbooks: one row per version of a form id, the workbook as it came

Revision ID: 0015
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("workbook", sa.LargeBinary(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("units", sa.JSON(), nullable=True),
        sa.Column("imported_by", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_id", "revision"),
    )
    op.create_index(op.f("ix_imported_forms_form_id"), "imported_forms", ["form_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_forms_form_id"), table_name="imported_forms")
    op.drop_table("imported_forms")
