"""users.credit_code indexed: a decision's notice goes to the users of the enterprise the case
was filed for, found by its 统一社会信用代码 (engine/notify/recipients.py), without reading
every user

Revision ID: c8e2f4a6b0d3
Revises: a7c3e9f1b5d8
Create Date: 2026-12-07 16:45:00.000000
"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c8e2f4a6b0d3'
down_revision: str | Sequence[str] | None = 'a7c3e9f1b5d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(op.f('ix_users_credit_code'), 'users', ['credit_code'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_users_credit_code'), table_name='users')
