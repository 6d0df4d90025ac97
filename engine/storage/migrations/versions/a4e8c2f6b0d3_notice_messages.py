"""notifications: what a notice says as a message key and its parameters, rendered when read
in the reader's language; the stored sentence only for notices written before
(text now nullable); an index by task, for settling a task's notices once it is done

Revision ID: a4e8c2f6b0d3
Revises: c8d2e6f0a4b7
Create Date: 2026-12-07 00:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a4e8c2f6b0d3'
down_revision: str | Sequence[str] | None = 'c8d2e6f0a4b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('message_params', sa.JSON(), nullable=True))
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=True)
        batch_op.create_index('ix_notifications_task', ['task_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema: keyed notices get their Chinese sentence back."""
    from engine.messages import notices  # the catalogue as it is when downgrading

    table = sa.table('notifications', sa.column('id', sa.Integer()),
                     sa.column('title', sa.String()), sa.column('business_key', sa.String()),
                     sa.column('text', sa.Text()), sa.column('message_key', sa.String()),
                     sa.column('message_params', sa.JSON()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(table).where(table.c.text.is_(None))).all()
    for row in rows:
        said = notices.said(row.message_key or 'text', row.message_params or {}, row.title,
                          row.business_key)
        conn.execute(table.update().where(table.c.id == row.id)
                     .values(text=notices.render(said, 'zh')))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_task')
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('message_params')
        batch_op.drop_column('message_key')
