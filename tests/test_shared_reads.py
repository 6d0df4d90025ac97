"""Engine.reading: the read-only transactions of one context (a page view) share one read
transaction; a write ends it, so what follows sees the write; a failed read does not spoil the
next; other threads read on their own."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from engine.api import Engine
from engine.errors import Conflict, NotFound
from engine.storage.schema import ProcessInstance
from tests.conftest import diagram_files

SUMMARY = {"summary": "拖延办理营业执照", "unit": "浮梁县纪委监委"}
HOLIDAY = date(2026, 10, 12)  # a Monday, a working day unless the calendar says otherwise


@pytest.fixture
def eng(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    return people


def begins(engine: Engine) -> Callable[[], int]:
    """How many transactions the engine's connections have begun since."""
    count = [0]

    def begun(_conn: object) -> None:
        count[0] += 1

    event.listen(engine.db, "begin", begun)
    return lambda: count[0]


def test_reads_in_one_context_share_one_transaction(eng: Engine) -> None:
    case = eng.start("approval", SUMMARY, "li").id
    begun = begins(eng)
    with eng.reading():
        assert [t.name for t in eng.inbox.for_user("li")] == ["propose"]
        assert eng.instance(case, "li").id == case
        assert eng.history(case, "li")
        assert eng.calendar().is_workday(HOLIDAY)
        assert begun() == 1
    eng.inbox.for_user("li")
    eng.calendar()
    assert begun() == 3  # outside: one each, as before


def test_a_read_after_a_write_sees_it(eng: Engine) -> None:
    first = eng.start("approval", SUMMARY, "li").id
    with eng.reading():
        with eng.transaction(read_only=True) as session:
            held = session.get(ProcessInstance, first)
            assert held is not None
            loaded = (held.id, held.revision, held.status)
        assert eng.calendar().is_workday(HOLIDAY)
        assert len(eng.inbox.for_user("li")) == 1
        second = eng.start("approval", SUMMARY, "li").id
        eng.set_calendar_day(HOLIDAY, False, "调休")
        assert {t.instance_id for t in eng.inbox.for_user("li")} == {first, second}
        assert not eng.calendar().is_workday(HOLIDAY)  # the counters were read again
        eng.complete(eng.inbox.for_user("li")[0].id, {"proposal": "转办"}, "li")
        # an object of the ended read keeps what it loaded
        assert (held.id, held.revision, held.status) == loaded


def test_a_write_inside_a_read_leaves_the_read_going(eng: Engine) -> None:
    with eng.reading():
        with eng.transaction(read_only=True) as session:
            before = session.execute(text("SELECT count(*) FROM instances")).scalar()
            case = eng.start("approval", SUMMARY, "li").id
            assert session.execute(text("SELECT 1")).scalar() == 1
        assert before == 0
        assert [t.instance_id for t in eng.inbox.for_user("li")] == [case]


def test_a_refused_read_keeps_the_transaction(eng: Engine) -> None:
    begun = begins(eng)
    with eng.reading():
        assert eng.inbox.for_user("li") == []
        with pytest.raises(NotFound):
            eng.instance(999, "li")
        assert eng.inbox.for_user("li") == []
        assert begun() == 1


def test_a_failed_read_does_not_spoil_the_next(eng: Engine) -> None:
    """PostgreSQL refuses every statement of a transaction after an error in it: the next read
    begins anew."""
    begun = begins(eng)
    with eng.reading():
        assert eng.inbox.for_user("li") == []
        with pytest.raises(Exception, match="no_such_table"), \
                eng.transaction(read_only=True) as session:
            session.execute(text("SELECT * FROM no_such_table"))
        assert eng.inbox.for_user("li") == []
        with pytest.raises(Conflict), eng.transaction(read_only=True):  # still mapped
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        assert eng.inbox.for_user("li") == []
        assert begun() == 3


def test_other_threads_read_on_their_own(eng: Engine) -> None:
    sessions = []

    def read() -> None:
        with eng.transaction(read_only=True) as session:
            sessions.append(session)

    with eng.reading():
        read()
        read()
        for target in (read, contextvars.copy_context().run):
            thread = threading.Thread(target=target, args=() if target is read else (read,))
            thread.start()
            thread.join()
    assert sessions[0] is sessions[1]
    assert len({id(s) for s in sessions}) == 3


def test_each_engine_shares_only_its_own(eng: Engine, tmp_path: Path) -> None:
    other = Engine(f"sqlite:///{tmp_path}/other.db", clock=eng.clock)
    try:
        with eng.reading():
            with other.transaction(read_only=True) as first, \
                    other.transaction(read_only=True) as second:
                assert first is not second
            with eng.transaction(read_only=True) as mine, \
                    eng.transaction(read_only=True) as again:
                assert mine is again
    finally:
        other.close()


def test_a_case_is_checked_once_per_read(eng: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page asks "may this user read the case" for its case, its task and its history;
    within one read transaction the answer is asked of the database once per case and user,
    and a write (which ends the read) asks again."""
    from engine.queries import visibility

    case = eng.start("approval", SUMMARY, "li").id
    asked: list[tuple[int, str]] = []
    real = visibility.may_read

    def counted(session: object, instance_id: int, user: object) -> bool:
        asked.append((instance_id, user.username))  # type: ignore[attr-defined]
        return real(session, instance_id, user)  # type: ignore[arg-type]

    monkeypatch.setattr(visibility, "may_read", counted)
    with eng.reading():
        eng.instance(case, "li")
        eng.history(case, "li")
        eng.check_read(case, "li")
        assert asked == [(case, "li")]
        with pytest.raises(NotFound):
            eng.instance(case, "qian")
        with pytest.raises(NotFound):
            eng.instance(case, "qian")  # a refusal is kept too
        assert asked == [(case, "li"), (case, "qian")]
        eng.set_calendar_day(HOLIDAY, False)  # a write
        eng.instance(case, "li")
        assert asked[-1] == (case, "li") and len(asked) == 3
    eng.instance(case, "li")
    eng.instance(case, "li")
    assert len(asked) == 5  # outside a unit of reading: each transaction asks
