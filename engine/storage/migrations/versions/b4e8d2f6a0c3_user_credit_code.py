"""users.credit_code: an enterprise user's 统一社会信用代码, so the enterprise follows the
applications a window filed for it

Revision ID: b4e8d2f6a0c3
Revises: a4c8e2f6b1d3
Create Date: 2026-12-06 16:20:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b4e8d2f6a0c3'
down_revision: str | Sequence[str] | None = 'a4c8e2f6b1d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_code', sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('credit_code')
