"""calendar_version: a change counter for the calendar overrides

Revision ID: 5460d4b7f1ec
Revises: 5b0d2c7e91a4
Create Date: 2026-11-26 20:13:25.870029

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '5460d4b7f1ec'
down_revision: str | Sequence[str] | None = '5b0d2c7e91a4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    table = op.create_table('calendar_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # The one row every process reads; set_calendar_day increments it.
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('calendar_version')
