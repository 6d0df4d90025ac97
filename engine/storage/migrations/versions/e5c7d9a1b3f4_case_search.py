"""case_search: each case's search text with the database's own trigram index; indexes for
the done list and for the cases a unit's user may read

Revision ID: e5c7d9a1b3f4
Revises: d7e3b1f5a9c2
Create Date: 2026-12-06 12:30:00.000000

SQLite: an FTS5 table with the ``trigram`` tokenizer over ``case_search`` (external content),
kept in step by triggers. PostgreSQL: the ``pg_trgm`` extension (created once per database,
in ``public`` so every schema's search path finds it through the operator class) and a GIN
index. The texts themselves are written by commands; cases that existed before this revision
get theirs from ``kuaiban reindex`` (docs/operations.md).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e5c7d9a1b3f4'
down_revision: str | Sequence[str] | None = 'd7e3b1f5a9c2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = {
    "case_search_ai": "AFTER INSERT ON case_search BEGIN "
                      "INSERT INTO case_search_fts(rowid, body) VALUES (new.instance_id, new.body); "
                      "END",
    "case_search_ad": "AFTER DELETE ON case_search BEGIN "
                      "INSERT INTO case_search_fts(case_search_fts, rowid, body) "
                      "VALUES ('delete', old.instance_id, old.body); END",
    "case_search_au": "AFTER UPDATE ON case_search BEGIN "
                      "INSERT INTO case_search_fts(case_search_fts, rowid, body) "
                      "VALUES ('delete', old.instance_id, old.body); "
                      "INSERT INTO case_search_fts(rowid, body) VALUES (new.instance_id, new.body); "
                      "END",
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('case_search',
    sa.Column('instance_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('instance_id')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_done', ['completed_by', 'completed_at'], unique=False)
        batch_op.create_index('ix_tasks_readers', ['role', 'unit', 'instance_id'],
                              unique=False)
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.create_index('ix_instances_started_by', ['started_by', 'created_at'],
                              unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE case_search_fts USING fts5(body, content='case_search', "
                   "content_rowid='instance_id', tokenize='trigram')")
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif bind.dialect.name == "postgresql":
        schema = _trgm_schema(bind)
        op.execute(f'CREATE INDEX ix_case_search_trgm ON case_search '
                   f'USING gin (body "{schema}".gin_trgm_ops)')


def _trgm_schema(bind: sa.Connection) -> str:
    """Where pg_trgm lives, creating it in ``public`` if the database has none yet (several
    schemas may upgrade at once: a lost race is only a duplicate)."""
    find = sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                   "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
    schema = bind.execute(find).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        except sa.exc.DBAPIError:
            pass  # made by a concurrent upgrade in the meantime
        schema = bind.execute(find).scalar_one()
    return str(schema)


def downgrade() -> None:
    """Downgrade schema. The pg_trgm extension stays: other schemas of the database may
    use it."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_search_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_case_search_trgm")
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index('ix_instances_started_by')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_readers')
        batch_op.drop_index('ix_tasks_done')
    op.drop_table('case_search')
