"""Schema creation and upgrades through Alembic (the migrations ship inside the package)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine as SqlEngine

_SCRIPTS = Path(__file__).parent / "migrations"


def _config(connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def upgrade(db: SqlEngine, revision: str = "head") -> None:
    with db.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(db: SqlEngine, revision: str) -> None:
    with db.begin() as connection:
        command.downgrade(_config(connection), revision)


def autogenerate(db: SqlEngine, message: str) -> None:
    """For developers: write a new migration from the difference to engine/storage/schema.py."""
    with db.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
