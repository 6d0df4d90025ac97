"""case_credit_codes: each case's 统一社会信用代码 with an index, so an enterprise user's cases
are found without reading every case's data; filled for the cases there are

Revision ID: c6f1a3e8b2d4
Revises: b4e8d2f6a0c3
Create Date: 2026-12-06 18:30:00.000000

A case's code is its data's ``credit_code`` when that is text of 1 to 32 characters
(engine/runtime/case_credit_codes.py ``code_of``); commands keep it from then on.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c6f1a3e8b2d4'
down_revision: str | Sequence[str] | None = 'b4e8d2f6a0c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = {
    "sqlite": "INSERT INTO case_credit_codes (instance_id, credit_code) "
              "SELECT id, json_extract(data, '$.credit_code') FROM instances "
              "WHERE json_type(data, '$.credit_code') = 'text' "
              "AND length(json_extract(data, '$.credit_code')) BETWEEN 1 AND 32",
    "postgresql": "INSERT INTO case_credit_codes (instance_id, credit_code) "
                  "SELECT id, data->>'credit_code' FROM instances "
                  "WHERE json_typeof(data->'credit_code') = 'string' "
                  "AND length(data->>'credit_code') BETWEEN 1 AND 32",
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('case_credit_codes',
    sa.Column('instance_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('credit_code', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('instance_id')
    )
    with op.batch_alter_table('case_credit_codes', schema=None) as batch_op:
        batch_op.create_index('ix_case_credit_codes_code', ['credit_code', 'instance_id'],
                              unique=False)
    op.execute(_BACKFILL[op.get_bind().dialect.name])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('case_credit_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_case_credit_codes_code')
    op.drop_table('case_credit_codes')
