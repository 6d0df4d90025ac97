"""Alembic creates the schema from nothing, and is idempotent and reversible."""

from __future__ import annotations

from sqlalchemy import inspect

from engine.storage import db, migrate
from engine.storage.schema import Base


def test_upgrade_creates_every_table_and_downgrade_removes_them(database_url: str) -> None:
    sql = db.connect(database_url)
    try:
        migrate.upgrade(sql)
        migrate.upgrade(sql)  # running again changes nothing
        tables = set(inspect(sql).get_table_names())
        assert set(Base.metadata.tables) <= tables
        migrate.downgrade(sql, "base")
        assert set(inspect(sql).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(sql)
        assert set(Base.metadata.tables) <= set(inspect(sql).get_table_names())
    finally:
        sql.dispose()
