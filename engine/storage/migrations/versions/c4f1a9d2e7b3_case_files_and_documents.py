"""case files: content-addressed blobs, attachments, document numbers

Revision ID: c4f1a9d2e7b3
Revises: 8c1f3e5a7b20
Create Date: 2026-12-01 09:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.storage.schema import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = 'c4f1a9d2e7b3'
down_revision: str | Sequence[str] | None = '8c1f3e5a7b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('blob_chunks',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('sha256', 'seq')
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=128), nullable=False),
    sa.Column('field', sa.String(length=128), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('document', sa.String(length=64), nullable=True),
    sa.Column('doc_no', sa.String(length=64), nullable=True),
    sa.Column('uploaded_by', sa.String(length=64), nullable=True),
    sa.Column('uploaded_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_attachments_sha256', ['sha256'], unique=False)
    op.create_table('document_sequences',
    sa.Column('prefix', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('document_sequences')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_sha256')
        batch_op.drop_index(batch_op.f('ix_attachments_instance_id'))
    op.drop_table('attachments')
    op.drop_table('blob_chunks')
    op.drop_table('blobs')
