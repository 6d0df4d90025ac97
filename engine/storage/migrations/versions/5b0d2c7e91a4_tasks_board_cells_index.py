"""tasks: covering index for the overdue board

Revision ID: 5b0d2c7e91a4
Revises: 947d66c8a9e2
Create Date: 2026-11-27 10:00:00.000000

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '5b0d2c7e91a4'
down_revision: str | Sequence[str] | None = '947d66c8a9e2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_board_cells', ['status', 'unit', 'process_key', 'due_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_board_cells')
