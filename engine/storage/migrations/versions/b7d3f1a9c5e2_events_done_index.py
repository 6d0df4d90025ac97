"""ix_events_done: 已办 lists every task a user acted on (办理, 退回, 转办 ...) from the case
histories, by the event's user and time; and the tasks a send-back ended record who sent them
back, as new ones do

Revision ID: b7d3f1a9c5e2
Revises: e9a2c4f6b8d1
Create Date: 2026-12-07 01:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b7d3f1a9c5e2'
down_revision: str | Sequence[str] | None = 'e9a2c4f6b8d1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_done', ['user', 'at'], unique=False)
    # The send-back event names who acted on the task it cancelled (one scan of the events,
    # then updates by primary key).
    connection = op.get_bind()
    senders = [{"id": r.task_id, "by": r.user} for r in connection.execute(sa.text(
        "SELECT task_id, \"user\" FROM events"
        " WHERE type = 'sent_back' AND task_id IS NOT NULL"))]
    if senders:
        connection.execute(sa.text(
            "UPDATE tasks SET completed_by = :by"
            " WHERE id = :id AND status = 'cancelled' AND completed_by IS NULL"), senders)


def downgrade() -> None:
    """Downgrade schema. The recorded senders stay: they are what the histories say."""
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_done')
