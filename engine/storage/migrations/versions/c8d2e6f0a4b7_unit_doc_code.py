"""units.doc_code: the 发文代字 a unit's official documents are numbered under, so a county's
documents take their own 文号 sequence (浮纪交〔2026〕1号) and name the county as issuer

Revision ID: c8d2e6f0a4b7
Revises: c6f1a3e8b2d4
Create Date: 2026-12-06 18:40:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c8d2e6f0a4b7'
down_revision: str | Sequence[str] | None = 'c6f1a3e8b2d4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_code', sa.String(length=16), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('doc_code')
