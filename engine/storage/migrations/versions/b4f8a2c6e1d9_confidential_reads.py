"""confidential_reads: the access log of confidential form fields

Revision ID: b4f8a2c6e1d9
Revises: 9e1b5d3c7a20
Create Date: 2026-12-06 13:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.storage.schema import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = 'b4f8a2c6e1d9'
down_revision: str | Sequence[str] | None = '9e1b5d3c7a20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('confidential_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('via', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('confidential_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confidential_reads_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('confidential_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confidential_reads_instance_id'))
    op.drop_table('confidential_reads')
