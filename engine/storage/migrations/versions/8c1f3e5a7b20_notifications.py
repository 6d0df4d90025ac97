"""notifications: the notification centre, the outbox, preferences, reminders; users.email

Revision ID: 8c1f3e5a7b20
Revises: 5460d4b7f1ec
Create Date: 2026-11-28 09:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.storage.schema

# revision identifiers, used by Alembic.
revision: str = '8c1f3e5a7b20'
down_revision: str | Sequence[str] | None = '5460d4b7f1ec'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = engine.storage.schema.UtcDateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('business_key', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('created_at', UTC_TIME, nullable=False),
    sa.Column('read_at', UTC_TIME, nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_unread', ['username', 'read_at'], unique=False)
        batch_op.create_index('ix_notifications_list', ['username', 'id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTC_TIME, nullable=False),
    sa.Column('lease_until', UTC_TIME, nullable=True),
    sa.Column('leased_by', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', UTC_TIME, nullable=False),
    sa.Column('sent_at', UTC_TIME, nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_notification_id'), ['notification_id'],
                              unique=False)
    op.create_table('notification_preferences',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('username', 'channel', 'kind')
    )
    op.create_table('task_reminders',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('sent_at', UTC_TIME, nullable=False),
    sa.PrimaryKeyConstraint('task_id', 'kind')
    )
    op.create_table('reminder_rounds',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('finished_at', UTC_TIME, nullable=False),
    sa.PrimaryKeyConstraint('day')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('reminder_rounds')
    op.drop_table('task_reminders')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_notification_id'))
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_list')
        batch_op.drop_index('ix_notifications_unread')
    op.drop_table('notifications')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
