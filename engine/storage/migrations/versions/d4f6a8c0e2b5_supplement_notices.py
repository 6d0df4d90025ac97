"""notifications: a 补正 notice (``notice.supplement``, “…材料不全，请一次补齐以下材料后重新提交”)
was of the kind ``decided`` (办理结果); it is of its own kind ``supplement`` (补正通知) now, so
that its reader finds it under that kind and may choose its channels apart

Revision ID: d4f6a8c0e2b5
Revises: d3a7c1e9b5f2
Create Date: 2026-12-08 02:00:00.000000

The notice's message key tells it apart, so going back restores the rows as they were.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd4f6a8c0e2b5'
down_revision: str | Sequence[str] | None = 'd3a7c1e9b5f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = 'notice.supplement'
_TABLE = sa.table('notifications', sa.column('kind', sa.String()),
                  sa.column('message_key', sa.String()))


def upgrade() -> None:
    """Upgrade schema."""
    op.get_bind().execute(_TABLE.update().where(_TABLE.c.kind == 'decided',
                                                _TABLE.c.message_key == KEY)
                          .values(kind='supplement'))


def downgrade() -> None:
    """Downgrade schema: they are results (办理结果) again."""
    op.get_bind().execute(_TABLE.update().where(_TABLE.c.kind == 'supplement')
                          .values(kind='decided'))
