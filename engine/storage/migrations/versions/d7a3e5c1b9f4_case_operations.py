"""case operations: tasks handed on for a part (owner, co-signers), urges, case copies

Revision ID: d7a3e5c1b9f4
Revises: e5c7d9a1b3f4
Create Date: 2026-12-06 14:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.storage.schema import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = 'd7a3e5c1b9f4'
down_revision: str | Sequence[str] | None = 'e5c7d9a1b3f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('signers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('urged_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('urged_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_tasks_urged', ['status', 'urged_count'], unique=False)
        batch_op.create_index('ix_tasks_owner', ['status', 'owner'], unique=False)
    op.create_table('case_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=128), nullable=True),
    sa.Column('copied_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('read_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_copies_instance_id'), ['instance_id'],
                              unique=False)
        batch_op.create_index('ix_case_copies_user', ['username', 'read_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('case_copies', schema=None) as batch_op:
        batch_op.drop_index('ix_case_copies_user')
        batch_op.drop_index(batch_op.f('ix_case_copies_instance_id'))
    op.drop_table('case_copies')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_owner')
        batch_op.drop_index('ix_tasks_urged')
        batch_op.drop_column('urged_at')
        batch_op.drop_column('urged_count')
        batch_op.drop_column('signers')
        batch_op.drop_column('owner')
