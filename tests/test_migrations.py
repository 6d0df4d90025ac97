"""Alembic creates the schema from nothing, and is idempotent and reversible."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from engine.api import Engine
from engine.errors import EngineError
from engine.storage import db, migrate
from engine.storage.schema import Base
from tests.conftest import diagram_files

BEFORE_UNIQUE_NUMBERS = "7c2e4a9d1f3b"  # the revision before 9e1b5d3c7a20_case_numbers_unique
BEFORE_CALENDAR_YEARS = "b3d5f7a9c1e2"  # the revision before c9e1a3f5b7d2_calendar_years
BEFORE_SUPPLEMENT_NOTICES = "d3a7c1e9b5f2"  # the revision before d4f6a8c0e2b5


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


def test_case_numbers_become_unique_and_duplicates_are_reported(engine: Engine) -> None:
    """The upgrade that makes case numbers unique per prefix lists the numbers used twice
    (and changes nothing) instead of failing on the constraint; once they are settled it
    runs, and the database refuses a number twice from then on."""
    engine.deploy(diagram_files("approval.bpmn"))  # numbers its cases: TS-2026-000001, ...
    engine.add_user("li", ["intake"])
    ids = [engine.start("approval", {"summary": "x", "unit": "浮梁县纪委监委"}, "li").id
           for _ in range(3)]
    migrate.downgrade(engine.db, BEFORE_UNIQUE_NUMBERS)
    with engine.db.begin() as conn:  # as a chosen key could make them before
        conn.execute(text("UPDATE instances SET business_key = 'TS-2026-000001' WHERE id = :i"),
                     {"i": ids[1]})
    with pytest.raises(EngineError) as refused:
        migrate.upgrade(engine.db)
    message = refused.value.message
    assert f"TS-2026-000001: cases #{ids[0]} (approval), #{ids[1]} (approval)" in message
    assert "Nothing was changed" in message and "kuaiban migrate" in message
    assert "case_prefix" not in {c["name"] for c in inspect(engine.db).get_columns("instances")}
    with engine.db.begin() as conn:  # settled by an operator
        conn.execute(text("UPDATE instances SET business_key = 'TS-2026-000009' WHERE id = :i"),
                     {"i": ids[1]})
    migrate.upgrade(engine.db)
    with engine.db.connect() as conn:
        prefixes = conn.execute(text("SELECT case_prefix FROM instances ORDER BY id")).scalars()
        assert list(prefixes) == ["TS", "TS", "TS"]
    with pytest.raises(IntegrityError), engine.db.begin() as conn:
        conn.execute(text("UPDATE instances SET business_key = 'TS-2026-000001' WHERE id = :i"),
                     {"i": ids[2]})


def test_years_entered_day_by_day_before_the_import_stay_official(engine: Engine) -> None:
    """Before calendar_years, a year with entered days counted as known: the upgrade marks
    those years loaded, so they do not turn provisional."""
    engine.set_calendar_day(date(2027, 1, 1), False, "元旦")
    migrate.downgrade(engine.db, BEFORE_CALENDAR_YEARS)
    migrate.upgrade(engine.db)
    calendar = engine.calendar()
    assert calendar.is_known_year(2027) and calendar.is_provisional_year(2028)


def test_supplement_notices_written_as_results_get_their_own_kind(engine: Engine) -> None:
    """A 补正 notice was of the kind 办理结果 (decided); the upgrade makes it a 补正通知
    (supplement), leaves real results alone, and going back restores them."""
    engine.add_user("qiye", ["enterprise"])
    migrate.downgrade(engine.db, BEFORE_SUPPLEMENT_NOTICES)
    with engine.db.begin() as conn:
        for key in ("notice.supplement", "notice.decided_as"):
            conn.execute(text(
                "INSERT INTO notifications (username, kind, title, message_key, created_at)"
                " VALUES ('qiye', 'decided', '即申即享', :key, '2026-10-09 10:00:00')"),
                {"key": key})

    def kinds() -> dict[str, str]:
        with engine.db.connect() as conn:
            return dict(conn.execute(text("SELECT message_key, kind FROM notifications")).all())

    migrate.upgrade(engine.db)
    assert kinds() == {"notice.supplement": "supplement", "notice.decided_as": "decided"}
    assert [n.kind for n in engine.notifications.for_user("qiye", kind="supplement")] == [
        "supplement"]
    migrate.downgrade(engine.db, BEFORE_SUPPLEMENT_NOTICES)
    assert kinds() == {"notice.supplement": "decided", "notice.decided_as": "decided"}
    migrate.upgrade(engine.db)
