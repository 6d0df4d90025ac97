"""tasks: the overdue board's covering index also holds the role, so the board counts the
open tasks with no unit (作风优化组, 党风政风监督室 ...) by role from the index alone

Revision ID: b3d5f7a9c1e2
Revises: d9b3f7a1c5e8
Create Date: 2026-12-09 10:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b3d5f7a9c1e2'
down_revision: str | Sequence[str] | None = 'd9b3f7a1c5e8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_board_cells')
        batch_op.create_index('ix_tasks_board_cells',
                              ['status', 'unit', 'process_key', 'due_at', 'role'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_board_cells')
        batch_op.create_index('ix_tasks_board_cells', ['status', 'unit', 'process_key', 'due_at'],
                              unique=False)
