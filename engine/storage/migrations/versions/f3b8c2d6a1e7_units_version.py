"""calendar_version.units_version: a change counter for the unit directory, read with the
calendar's in the one statement every command starts with, so commands keep the directory
instead of reading every unit each time

Revision ID: f3b8c2d6a1e7
Revises: d7a3e5c1b9f4
Create Date: 2026-12-06 15:10:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f3b8c2d6a1e7'
down_revision: str | Sequence[str] | None = 'd7a3e5c1b9f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('calendar_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('units_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('calendar_version', schema=None) as batch_op:
        batch_op.drop_column('units_version')
