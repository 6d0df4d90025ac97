"""task_drafts: 暂存, one saved, unfinished form per open task and user

Revision ID: c4e6a8b0d2f1
Revises: f1c5a7e3d9b2
Create Date: 2026-12-07 04:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.storage.schema import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = 'c4e6a8b0d2f1'
down_revision: str | Sequence[str] | None = 'f1c5a7e3d9b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('task_drafts',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ),
    sa.PrimaryKeyConstraint('task_id', 'username')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('task_drafts')
