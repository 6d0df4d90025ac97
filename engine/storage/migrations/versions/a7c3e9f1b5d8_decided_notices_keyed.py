"""notifications: a decision's notice stored as a sentence before message keys
(“您提交的「…」申请（…）已有办理结果，请登录查看。”) gets the key ``notice.decided``, so that
the centre, where its reader is signed in, no longer asks them to sign in; an e-mail or a
webhook still does (the key's ``.outside`` wording)

Revision ID: a7c3e9f1b5d8
Revises: f2b6d8a4c1e9
Create Date: 2026-12-07 15:00:00.000000

Only a sentence that is exactly what was written for the notice's title and case number is
keyed; the sentence stays in ``text``, so going back restores the rows as they were.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a7c3e9f1b5d8'
down_revision: str | Sequence[str] | None = 'f2b6d8a4c1e9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = 'notice.decided'
_TABLE = sa.table('notifications', sa.column('id', sa.Integer()),
                  sa.column('kind', sa.String()), sa.column('title', sa.String()),
                  sa.column('business_key', sa.String()), sa.column('text', sa.Text()),
                  sa.column('message_key', sa.String()),
                  sa.column('message_params', sa.JSON()))


def _sentences(title: str, business_key: str | None) -> set[str]:
    """What the notice said: as first written, and as a4e8c2f6b0d3's downgrade wrote it."""
    case = f'（{business_key}）' if business_key else ''
    return {f'您提交的{quoted}申请{case}已有办理结果，请登录查看。'
            for quoted in (f'「{title}」', f'“{title}”')}


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_TABLE.c.id, _TABLE.c.title, _TABLE.c.business_key,
                                  _TABLE.c.text)
                        .where(_TABLE.c.kind == 'decided', _TABLE.c.message_key.is_(None)))
    ids = [row.id for row in rows if row.text in _sentences(row.title, row.business_key)]
    for start in range(0, len(ids), 500):
        conn.execute(_TABLE.update().where(_TABLE.c.id.in_(ids[start:start + 500]))
                     .values(message_key=KEY, message_params={}))


def downgrade() -> None:
    """Downgrade schema: those notices say their sentence again."""
    op.get_bind().execute(
        _TABLE.update().where(_TABLE.c.kind == 'decided', _TABLE.c.message_key == KEY,
                              _TABLE.c.text.is_not(None))
        .values(message_key=None, message_params=sa.null()))
