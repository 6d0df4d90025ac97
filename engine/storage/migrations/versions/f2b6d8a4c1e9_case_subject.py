"""case_search.subject: a case's subject (事由) from its procedure's template, shown beside
its tasks in inboxes, the done list and search

Revision ID: f2b6d8a4c1e9
Revises: b4d6f8a0c2e5
Create Date: 2026-12-07 13:40:00.000000

Cases that existed before this revision get theirs from ``kuaiban reindex``
(docs/operations.md), as their search text. On SQLite the column is added and dropped in
place (ALTER TABLE): copying the table, as batch mode does, would drop the triggers that keep
its text index in step.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f2b6d8a4c1e9'
down_revision: str | Sequence[str] | None = 'b4d6f8a0c2e5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('case_search', sa.Column('subject', sa.String(length=255), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE case_search DROP COLUMN subject")
    else:
        op.drop_column('case_search', 'subject')
