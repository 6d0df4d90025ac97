"""users.language: the language a user chose ('zh' or 'en'; none: Chinese), which the pages
take at sign-in and the user's e-mails are written in

Revision ID: f1c5a7e3d9b2
Revises: b7d3f1a9c5e2
Create Date: 2026-12-07 03:20:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f1c5a7e3d9b2'
down_revision: str | Sequence[str] | None = 'b7d3f1a9c5e2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
