"""users: generation and password_changed_at; sign_in_failures; revoked_credentials

Revision ID: 7c2e4a9d1f3b
Revises: c4f1a9d2e7b3
Create Date: 2026-12-06 09:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.storage.schema import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = '7c2e4a9d1f3b'
down_revision: str | Sequence[str] | None = 'c4f1a9d2e7b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', UtcDateTime(timezone=True), nullable=True))
    op.create_table('sign_in_failures',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('revoked_credentials',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('revoked_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_credentials_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('revoked_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_credentials_expires_at'))
    op.drop_table('revoked_credentials')
    op.drop_table('sign_in_failures')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('generation')
