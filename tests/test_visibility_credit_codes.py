"""An enterprise user's cases are those filed with its 统一社会信用代码 (visibility): found through
the index of each case's code (``case_credit_codes``, engine/runtime/case_credit_codes.py),
which the command giving or changing a case's ``credit_code`` writes, and the migration
c6f1a3e8b2d4 filled for the cases before it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, select, text

from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.errors import NotFound, PermissionDenied
from engine.storage import migrate
from engine.storage.schema import CaseCreditCode
from tests.conftest import diagram_files

OURS = "91360200MA35B0001M"
THEIRS = "91360200MA35B0002Q"
BEFORE = "b4e8d2f6a0c3"  # the revision before case_credit_codes


def corrected_files() -> list[SourceFile]:
    """The approval diagram whose 提出处置意见 may correct the 统一社会信用代码."""
    files = []
    for file in diagram_files("approval.bpmn"):
        if file.name == "test_propose.json":
            form = json.loads(file.content)
            form["properties"]["credit_code"] = {"type": "string", "format": "credit-code",
                                                 "title": "统一社会信用代码"}
            file = SourceFile(file.name, json.dumps(form, ensure_ascii=False))
        files.append(file)
    return files


@pytest.fixture
def filed(people: Engine) -> Engine:
    people.deploy(corrected_files())
    people.add_user("qiye", ["enterprise"], credit_code=OURS)
    people.add_user("qiye2", ["enterprise"], credit_code=THEIRS)
    return people


def start(engine: Engine, **data: Any) -> int:
    """A case the intake office files (as a window files for an enterprise)."""
    return engine.start("approval", {"summary": "申请", "unit": "浮梁县纪委监委", **data}, "li").id


def propose(engine: Engine, instance_id: int, **data: Any) -> None:
    (task,) = [t for t in engine.instance(instance_id).tasks if t.name == "propose"]
    engine.complete(task.id, {"proposal": "转办", **data}, "li")


def applications(engine: Engine, username: str) -> set[int]:
    return {a.case.instance_id for a in engine.worklists.applications(username)}


def found(engine: Engine, username: str) -> set[int]:
    return {h.instance_id for h in engine.search.find("申请", username).hits}


def readable(engine: Engine, username: str, instance_id: int) -> bool:
    try:
        engine.instance(instance_id, username)
    except (NotFound, PermissionDenied):
        return False
    return True


def codes(engine: Engine) -> dict[int, str | None]:
    with engine.transaction() as session:
        rows = session.execute(select(CaseCreditCode.instance_id, CaseCreditCode.credit_code))
        return {r.instance_id: r.credit_code for r in rows if r.credit_code is not None}


def test_the_enterprise_sees_exactly_the_cases_filed_with_its_code(filed: Engine) -> None:
    ours = start(filed, credit_code=OURS)
    theirs = start(filed, credit_code=THEIRS)
    none = start(filed)
    assert codes(filed) == {ours: OURS, theirs: THEIRS}
    assert applications(filed, "qiye") == {ours} and applications(filed, "qiye2") == {theirs}
    assert found(filed, "qiye") == {ours} and found(filed, "qiye2") == {theirs}
    assert [readable(filed, "qiye", i) for i in (ours, theirs, none)] == [True, False, False]
    # the code corrected later in the case: it follows the new code, not the old
    propose(filed, ours, credit_code=THEIRS)
    assert codes(filed) == {ours: THEIRS, theirs: THEIRS}
    assert applications(filed, "qiye") == set() and found(filed, "qiye") == set()
    assert applications(filed, "qiye2") == {ours, theirs}
    assert not readable(filed, "qiye", ours) and readable(filed, "qiye2", ours)
    # a case given a code only later, and a step that leaves the code alone
    propose(filed, none, credit_code=OURS)
    propose(filed, theirs)
    assert codes(filed) == {ours: THEIRS, theirs: THEIRS, none: OURS}
    assert applications(filed, "qiye") == {none}
    assert readable(filed, "qiye", none)


def test_a_step_that_does_not_change_the_code_writes_nothing(filed: Engine) -> None:
    case = start(filed, credit_code=OURS)
    writes: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "case_credit_codes" in statement:
            writes.append(statement)

    event.listen(filed.db, "before_cursor_execute", seen)
    try:
        propose(filed, case)
    finally:
        event.remove(filed.db, "before_cursor_execute", seen)
    assert writes == []


@pytest.mark.tampers  # the data of three cases is changed behind the engine's back
def test_the_migration_fills_the_codes_of_the_cases_there_are(filed: Engine) -> None:
    ours = start(filed, credit_code=OURS)
    theirs = start(filed, credit_code=THEIRS)
    start(filed)
    odd = [start(filed, credit_code=c) for c in ("x", "y", "z")]
    migrate.downgrade(filed.db, BEFORE)
    with filed.db.begin() as conn:  # values no code is: a number, a list, a long text
        for instance_id, value in zip(odd, (12345, ["a"], "9" * 33), strict=True):
            stored = conn.execute(text("SELECT data FROM instances WHERE id = :i"),
                                  {"i": instance_id}).scalar_one()
            data = json.loads(stored) if isinstance(stored, str) else stored
            conn.execute(text("UPDATE instances SET data = :d WHERE id = :i"),
                         {"d": json.dumps({**data, "credit_code": value}), "i": instance_id})
    migrate.upgrade(filed.db)
    assert codes(filed) == {ours: OURS, theirs: THEIRS}
    assert applications(filed, "qiye") == {ours} and applications(filed, "qiye2") == {theirs}


def plan(engine: Engine, call: Callable[[], Any], marker: str) -> str:
    """The database's plan of the last statement ``call`` sends that contains ``marker``,
    with the parameters the engine bound. PostgreSQL is told not to scan a table where it can
    use an index (its tables are tiny here): a scan left in the plan has no index to use."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if marker in statement:
            seen.append((statement, params))

    event.listen(engine.db, "before_cursor_execute", grab)
    try:
        call()
    finally:
        event.remove(engine.db, "before_cursor_execute", grab)
    statement, params = seen[-1]
    sqlite = engine.db.dialect.name == "sqlite"
    with engine.db.connect() as conn:
        if sqlite:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            return "\n".join(str(r[-1]) for r in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, params)
        out = "\n".join(str(r[0]) for r in rows)
        conn.rollback()
        return out


def test_the_enterprises_cases_are_found_by_the_index(filed: Engine) -> None:
    """我的申请, search (the user's set of case ids) and reading one case look the code up in
    ``ix_case_credit_codes_code`` or by the case's id: no scan of every case's data."""
    ours = start(filed, credit_code=OURS)
    for code in (THEIRS, OURS, None):
        start(filed, **({"credit_code": code} if code else {}))
    sqlite = filed.db.dialect.name == "sqlite"
    for call in (lambda: filed.worklists.applications("qiye"),
                 lambda: filed.search.find("申请", "qiye")):
        shown = plan(filed, call, "case_credit_codes")
        if sqlite:
            assert "SEARCH case_credit_codes USING COVERING INDEX ix_case_credit_codes_code " \
                   "(credit_code=?)" in shown, shown
            assert "SCAN instances" not in shown and "SCAN case_credit_codes" not in shown, shown
        else:
            assert "Bitmap Index Scan on ix_case_credit_codes_code" in shown \
                or "Index Only Scan using ix_case_credit_codes_code" in shown \
                or "Index Scan using ix_case_credit_codes_code" in shown, shown
            assert "Seq Scan" not in shown, shown
    shown = plan(filed, lambda: filed.instance(ours, "qiye"), "case_credit_codes")
    if sqlite:
        assert "SEARCH case_credit_codes USING" in shown, shown
        assert "SCAN case_credit_codes" not in shown and "SCAN instances" not in shown, shown
    else:
        assert "case_credit_codes" in shown and "Seq Scan" not in shown, shown
