"""tasks.returned_by: who sent a task back to be done again (退回, or a decision that looped
the case back to a step done before), for the inbox's 退回 mark

Revision ID: e7a9c1d3f5b4
Revises: d5f7b9c1e3a2
Create Date: 2026-12-07 04:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e7a9c1d3f5b4'
down_revision: str | Sequence[str] | None = 'd5f7b9c1e3a2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('returned_by')
