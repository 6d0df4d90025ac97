"""tasks.credit_code: the 统一社会信用代码 a multi-instance task's item names, indexed, so an
enterprise finds the 免申即享 batches that pay it (我的申请) without reading every batch; filled
for the payout tasks there are

Revision ID: d9b3f7a1c5e8
Revises: c8e2f4a6b0d3
Create Date: 2026-12-08 09:00:00.000000

The shipped procedure with such items is 免申即享 (subsidy_automatic): each task of its
兑付资金并通知企业 (pay_enterprise) pays the enterprise at its place (``item_index``) of the
confirmed list ``enterprises``. Tasks mirrored before ``item_index`` have no place and keep
none; commands write the code of every new task's item from now on.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd9b3f7a1c5e8'
down_revision: str | Sequence[str] | None = 'c8e2f4a6b0d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAYOUTS = ("tasks.process_key = 'subsidy_automatic' AND tasks.element_id = 'pay_enterprise' "
            "AND tasks.item_index IS NOT NULL")
_BACKFILL = {
    "sqlite": "UPDATE tasks SET credit_code = (SELECT json_extract(i.data, "
              "'$.enterprises[' || tasks.item_index || '].credit_code') FROM instances i "
              "WHERE i.id = tasks.instance_id AND json_type(i.data, "
              "'$.enterprises[' || tasks.item_index || '].credit_code') = 'text' AND length("
              "json_extract(i.data, '$.enterprises[' || tasks.item_index || '].credit_code')) "
              f"BETWEEN 1 AND 32) WHERE {_PAYOUTS}",
    "postgresql": "UPDATE tasks SET credit_code = (SELECT i.data->'enterprises'->"
                  "tasks.item_index->>'credit_code' FROM instances i WHERE i.id = "
                  "tasks.instance_id AND json_typeof(i.data->'enterprises'->tasks.item_index"
                  "->'credit_code') = 'string' AND length(i.data->'enterprises'->"
                  f"tasks.item_index->>'credit_code') BETWEEN 1 AND 32) WHERE {_PAYOUTS}",
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_code', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_tasks_credit_code', ['credit_code', 'instance_id'],
                              unique=False)
    op.execute(_BACKFILL[op.get_bind().dialect.name])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_credit_code')
        batch_op.drop_column('credit_code')
