"""calendar_version.users_version: a change counter for the users table (who holds which
role in which unit, who is active), read with the other counters in the one statement every
command starts with, so commands that make tasks keep the people to notify instead of
reading them each time

Revision ID: a4c8e2f6b1d3
Revises: f3b8c2d6a1e7
Create Date: 2026-12-06 16:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a4c8e2f6b1d3'
down_revision: str | Sequence[str] | None = 'f3b8c2d6a1e7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('calendar_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('users_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('calendar_version', schema=None) as batch_op:
        batch_op.drop_column('users_version')
