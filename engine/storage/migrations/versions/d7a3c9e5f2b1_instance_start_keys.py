"""instances: start_key, the row key of a bulk start, unique (uq_instances_start_key)

Revision ID: d7a3c9e5f2b1
Revises: d7a3c9e5f1b2
Create Date: 2026-12-06 12:20:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd7a3c9e5f2b1'
down_revision: str | Sequence[str] | None = 'd7a3c9e5f1b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('instances', sa.Column('start_key', sa.String(length=255), nullable=True))
    op.create_index('uq_instances_start_key', 'instances', ['start_key'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_instances_start_key', table_name='instances')
    # plain ALTER TABLE: SQLite refuses to rebuild a table others refer to
    op.execute('ALTER TABLE instances DROP COLUMN start_key')
