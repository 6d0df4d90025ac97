"""tasks.item_index: a multi-instance task's place in the list it was made from (the
enterprise of a 免申即享 batch it pays), so siblings are listed and shown in the list's order

Revision ID: b4d6f8a0c2e5
Revises: e7a9c1d3f5b4
Create Date: 2026-12-07 06:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b4d6f8a0c2e5'
down_revision: str | Sequence[str] | None = 'e7a9c1d3f5b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema. Tasks mirrored before keep none: their place is not in the table."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_index', sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('item_index')
