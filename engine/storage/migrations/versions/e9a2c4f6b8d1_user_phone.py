"""users.phone: the office telephone an official document prints beside a person's name (the
交办函's 联系人 line)

Revision ID: e9a2c4f6b8d1
Revises: a4e8c2f6b0d3
Create Date: 2026-12-07 00:40:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e9a2c4f6b8d1'
down_revision: str | Sequence[str] | None = 'a4e8c2f6b0d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
