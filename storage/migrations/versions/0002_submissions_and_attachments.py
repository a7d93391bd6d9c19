"""submissions and attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:52:32.793676
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.BigInteger(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'needs_revision', 'replaced', name='submissionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('draft_token', sa.String(length=36), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('staff_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['replaces_id'], ['submissions.id'], ),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('draft_token')
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_form_period', ['form_id', 'period'], unique=False)
        batch_op.create_index('ix_submissions_unit_submitted', ['unit_code', 'submitted_at'], unique=False)
        batch_op.create_index('uq_submissions_live_period', ['form_id', 'unit_code', 'period'], unique=True, sqlite_where=sa.text("status != 'replaced' AND period IS NOT NULL"), postgresql_where=sa.text("status != 'replaced' AND period IS NOT NULL"))

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('field_name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_id', sa.String(length=255), nullable=False),
    sa.Column('file_unique_id', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('mime_type', sa.String(length=100), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_submission_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('uq_submissions_live_period', sqlite_where=sa.text("status != 'replaced' AND period IS NOT NULL"), postgresql_where=sa.text("status != 'replaced' AND period IS NOT NULL"))
        batch_op.drop_index('ix_submissions_unit_submitted')
        batch_op.drop_index('ix_submissions_form_period')

    op.drop_table('submissions')
