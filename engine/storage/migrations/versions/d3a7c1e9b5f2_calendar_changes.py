"""calendar_changes: the working-day calendar as it was before each change that turned a day,
so replay counts an event's deadlines on the calendar in force when it happened.

Revision ID: d3a7c1e9b5f2
Revises: c9e1a3f5b7d2
Create Date: 2026-12-08 02:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd3a7c1e9b5f2'
down_revision: str | Sequence[str] | None = 'c9e1a3f5b7d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'calendar_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('overrides_before', sa.JSON(), nullable=False),
        sa.Column('years_before', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_calendar_changes_changed_at', 'calendar_changes', ['changed_at'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_calendar_changes_changed_at', table_name='calendar_changes')
    op.drop_table('calendar_changes')
