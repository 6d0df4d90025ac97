"""tasks and instances: covering indexes for the supervisors' statistics

Revision ID: d7e3b1f5a9c2
Revises: d7a3c9e5f2b1
Create Date: 2026-12-06 12:30:00.000000

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd7e3b1f5a9c2'
down_revision: str | Sequence[str] | None = 'd7a3c9e5f2b1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_stats', ['status', 'completed_at', 'process_key', 'unit', 'due_at'], unique=False)
        batch_op.create_index('ix_tasks_step', ['process_key', 'element_id', 'status', 'completed_at'], unique=False)
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index('ix_instances_stats', ['process_key', 'created_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index('ix_instances_stats')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_step')
        batch_op.drop_index('ix_tasks_stats')
