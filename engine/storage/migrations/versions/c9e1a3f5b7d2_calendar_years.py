"""calendar_years: the years whose official holiday schedule an administrator loaded; a year
the package does not know and that is not here is provisional (statutory holidays only).
Years that already have overrides were entered as their schedule: they are marked loaded.

Revision ID: c9e1a3f5b7d2
Revises: b3d5f7a9c1e2
Create Date: 2026-12-07 23:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c9e1a3f5b7d2'
down_revision: str | Sequence[str] | None = 'b3d5f7a9c1e2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    years = op.create_table(
        'calendar_years',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('source', sa.String(length=255), nullable=True),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('year'),
    )
    days = op.get_bind().execute(sa.text("SELECT day FROM calendar_overrides")).scalars()
    found = sorted({day.year if hasattr(day, "year") else int(str(day)[:4]) for day in days})
    if found:
        op.bulk_insert(years, [{"year": y, "source": "kuaiban calendar set"} for y in found])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('calendar_years')
