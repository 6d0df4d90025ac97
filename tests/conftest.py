"""Shared fixtures. Engine tests run on SQLite and on a real PostgreSQL.

PostgreSQL: ``KUAIBAN_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test gets a schema of its own,
made and dropped by bench/pgschema.py (shared with the benchmarks), or, for the ``engine``
fixture, a migrated one emptied for it (tests/migrated_databases.py); a module whose tests
all start from the same users and procedures marks them ``seeded(build)``, and its database is
built once per process and copied for each test. Without a server the
PostgreSQL variants are skipped with the reason, unless ``KUAIBAN_REQUIRE_POSTGRES=1`` (set by
CI), which turns that into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bench import pgschema
from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.time.clock import FixedClock
from tests import migrated_databases

HERE = Path(__file__).parent
DIAGRAMS = HERE / "diagrams"
PG_URL = os.environ.get("KUAIBAN_TEST_POSTGRES_URL", pgschema.DEFAULT_URL)


def require_postgres() -> None:
    problem = pgschema.unreachable(PG_URL)
    if problem is None:
        return
    if os.environ.get("KUAIBAN_REQUIRE_POSTGRES") == "1":
        pytest.fail(problem + " (KUAIBAN_REQUIRE_POSTGRES=1)")
    pytest.skip(problem)


NOW = datetime.fromisoformat("2026-09-30T16:00:00+08:00")  # the ``clock`` fixture's time


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def seeded(build: Callable[[Engine], None], at: datetime = NOW) -> pytest.MarkDecorator:
    """Mark tests whose ``engine`` starts from what ``build`` does to a new engine (at the
    ``clock`` fixture's time, or ``at`` for a module whose clock starts elsewhere): done once
    per process and backend, copied for each test (tests/migrated_databases.py)."""

    def fill(url: str) -> None:  # the templates are kept by this function: one per mark
        engine = Engine(url, clock=FixedClock(at), upgrade=False)
        try:
            build(engine)
        finally:
            engine.close()

    return pytest.mark.seeded.with_args(fill)


def seeded_with(request: pytest.FixtureRequest, mark: pytest.MarkDecorator) -> bool:
    """Whether the test's ``engine`` already holds what ``mark`` (made by ``seeded``) builds:
    a fixture building the same shared by other modules builds it itself where it does not."""
    found = request.node.get_closest_marker("seeded")
    return found is not None and found.args == mark.args


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database; already migrated where the test's engine would migrate it anyway
    (tests/migrated_databases.py), and holding what its ``seeded`` mark builds."""
    migrated = "engine" in request.fixturenames
    mark = request.node.get_closest_marker("seeded") if migrated else None
    if request.param == "sqlite":
        path = tmp_path / "kuaiban.db"
        if mark is not None:
            migrated_databases.copy_seeded_sqlite(path, mark.args[0])
        elif migrated:
            migrated_databases.copy_sqlite(path)
        yield f"sqlite:///{path}"
        return
    require_postgres()
    if mark is not None:
        yield migrated_databases.seeded_schema(PG_URL, mark.args[0])
        return
    if migrated:
        yield migrated_databases.emptied_schema(PG_URL)
        return
    with pgschema.fresh_schema(PG_URL, "t_") as url:
        yield url


@pytest.fixture
def engine(database_url: str, clock: FixedClock, request: pytest.FixtureRequest
           ) -> Iterator[Engine]:
    """An engine on a fresh database. Afterwards every instance the test made must replay
    to the same state (tests that tamper on purpose are marked ``tampers``)."""
    eng = Engine(database_url, clock=clock)
    try:
        yield eng
        if request.node.get_closest_marker("tampers") is None:
            diverged = {i: r.message for i in eng.instance_ids() if not (r := eng.replay(i)).ok}
            assert diverged == {}, f"replay diverged: {diverged}"
    finally:
        eng.close()


def source(path: Path) -> SourceFile:
    return SourceFile(path.name, path.read_text(encoding="utf-8"))


def diagram_files(*names: str) -> list[SourceFile]:
    """A test diagram plus every form under tests/diagrams/forms."""
    files = [source(DIAGRAMS / n) for n in names]
    files += [source(p) for p in sorted((DIAGRAMS / "forms").glob("*.json"))]
    return files


@pytest.fixture
def people(engine: Engine) -> Engine:
    """Users for the test diagrams: intake, approver and handlers in two units."""
    add_people(engine)
    return engine


def add_people(engine: Engine) -> None:
    """The ``people`` fixture's users."""
    engine.add_user("li", ["intake"], password="pw-li")
    engine.add_user("wang", ["approver"])
    engine.add_user("chen", ["approver"])
    engine.add_user("zhao", ["handler"], unit="浮梁县纪委监委")
    engine.add_user("qian", ["handler"], unit="乐平市纪委监委")
    engine.add_user("sun", ["case_manager"])
    engine.add_user("audit", ["auditor"])
