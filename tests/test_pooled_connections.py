"""PostgreSQL connections wait in a pool between transactions. One the server closed while
it idled is noticed at checkout and replaced, so the next command works; one used moments
ago is not pinged again (engine/storage/db.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bench import pgschema
from engine.api import Engine
from engine.storage import db
from engine.time.clock import FixedClock
from tests.conftest import PG_URL, require_postgres


@pytest.fixture
def pg(clock: FixedClock) -> Iterator[Engine]:
    require_postgres()
    with pgschema.fresh_schema(PG_URL, "t_") as url:
        engine = Engine(url, clock=clock)
        try:
            yield engine
        finally:
            engine.close()


def _backend_pid(engine: Engine) -> int:
    with engine.db.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_the_server_closed_while_idle_is_replaced(
        pg: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout counts as idle
    pg.add_user("li", ["intake"])
    before = _backend_pid(pg)
    killer = Engine(PG_URL, upgrade=False)
    try:
        with killer.db.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"),
                                {"pid": before}).scalar_one()
    finally:
        killer.close()
    assert pg.user("li").roles == ("intake",)  # the pool noticed and connected anew
    assert _backend_pid(pg) != before


def test_a_connection_used_moments_ago_is_not_pinged(
        pg: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    pg.add_user("li", ["intake"])
    pings: list[object] = []
    monkeypatch.setattr(pg.db.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    for _ in range(3):
        pg.user("li")
    assert pings == []
