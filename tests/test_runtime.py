"""Start, claim, unclaim, complete; form validation; permissions; optimistic revisions."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.api import Engine
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.org.users import SYSTEM
from engine.queries.inbox import InboxFilter
from engine.runtime import locking, mirror
from engine.runtime.locking import flush
from engine.storage.schema import ProcessInstance, Task
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


@pytest.fixture
def deployed(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    return people


def only_task(engine: Engine, user: str) -> str:
    tasks = engine.inbox.for_user(user)
    assert len(tasks) == 1, tasks
    return tasks[0].id


def test_start_assigns_case_number_and_first_task_due_same_day(deployed: Engine) -> None:
    first = deployed.start("approval", {"summary": "不作为", "unit": UNIT}, "li")
    second = deployed.start("approval", {"summary": "慢作为", "unit": UNIT}, "li")
    assert first.business_key == "TS-2026-000001"
    assert second.business_key == "TS-2026-000002"
    assert first.data["case_no"] == "TS-2026-000001"
    (task,) = first.tasks
    assert (task.name, task.title, task.role, task.form_key) == (
        "propose", "提出处置意见", "intake", "test_propose")
    assert task.due_at == datetime.fromisoformat("2026-09-30T17:30:00+08:00")
    assert not task.overdue


def test_whole_path_with_send_back_and_unit_scoping(deployed: Engine) -> None:
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    deployed.complete(only_task(deployed, "li"), {"proposal": "转办"}, "li")
    deployed.complete(only_task(deployed, "wang"), {"approved": False}, "wang")
    # sent back: the proposal is due again, still the same day
    deployed.complete(only_task(deployed, "li"), {"proposal": "转办"}, "li")
    deployed.complete(only_task(deployed, "wang"), {"approved": True}, "wang")
    assert deployed.inbox.for_user("qian") == []  # other unit sees nothing
    handle = deployed.inbox.for_user("zhao")[0]
    assert handle.unit == UNIT
    # close of the next working day after 2026-09-30 is 2026-10-08 (National Day)
    assert handle.due_at == datetime.fromisoformat("2026-10-08T17:30:00+08:00")
    with pytest.raises(PermissionDenied):
        deployed.complete(handle.id, {"result": "属实"}, "qian")
    done = deployed.complete(handle.id, {"result": "属实"}, "zhao")
    assert done.status == "completed"
    assert done.data["status"] == "transferred"
    assert done.data["result"] == "属实"
    assert deployed.instance(view.id).tasks == []


def test_form_errors_are_returned_by_field(deployed: Engine) -> None:
    with pytest.raises(InvalidData) as err:
        deployed.start("approval", {"summary": ""}, "li")
    assert set(err.value.field_errors) == {"summary", "unit"}
    deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    with pytest.raises(InvalidData) as err:
        deployed.complete(task, {"proposal": "随便"}, "li")
    assert "proposal" in err.value.field_errors
    # nothing happened: the task is still there, the instance unchanged
    assert only_task(deployed, "li") == task


def test_claim_unclaim_and_claimed_by_someone_else(deployed: Engine) -> None:
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    deployed.complete(only_task(deployed, "li"), {"proposal": "转办"}, "li")
    task = only_task(deployed, "wang")
    deployed.claim(task, "wang")
    assert deployed.inbox.for_user("chen") == []  # claimed tasks leave others' inboxes
    with pytest.raises(Conflict):
        deployed.claim(task, "chen")
    with pytest.raises(Conflict):
        deployed.complete(task, {"approved": True}, "chen")
    with pytest.raises(PermissionDenied):
        deployed.unclaim(task, "chen")
    deployed.unclaim(task, "wang")
    assert [t.id for t in deployed.inbox.for_user("chen")] == [task]
    assert [e.type for e in deployed.history(view.id)] == [
        "started", "completed", "claimed", "unclaimed"]


def test_wrong_role_and_unknowns(deployed: Engine) -> None:
    deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    with pytest.raises(PermissionDenied):
        deployed.complete(task, {"proposal": "转办"}, "wang")
    with pytest.raises(PermissionDenied):
        deployed.start("approval", {"summary": "x", "unit": UNIT}, "wang")
    with pytest.raises(NotFound):
        deployed.complete("no-such-task", {}, "li")
    with pytest.raises(NotFound):
        deployed.start("no_such_process", {}, "li")
    with pytest.raises(NotFound):
        deployed.complete(task, {}, "nobody")


def test_completed_task_cannot_be_completed_again(deployed: Engine) -> None:
    deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    deployed.complete(task, {"proposal": "转办"}, "li")
    with pytest.raises(Conflict):
        deployed.complete(task, {"proposal": "转办"}, "li")


def test_stale_revision_is_a_conflict(deployed: Engine) -> None:
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    with pytest.raises(Conflict):
        deployed.complete(task, {"proposal": "转办"}, "li", revision=view.revision - 1)
    after = deployed.complete(task, {"proposal": "转办"}, "li", revision=view.revision)
    assert after.revision == view.revision + 1


def interleaving_possible(engine: Engine) -> None:
    """On SQLite every transaction takes the write lock first (engine/storage/db.py), so a second
    session would wait for the first instead of interleaving with it."""
    if engine.url.startswith("sqlite"):
        pytest.skip("SQLite serializes transactions: two sessions cannot interleave there")


def test_two_sessions_racing_never_lose_an_update(deployed: Engine) -> None:
    interleaving_possible(deployed)
    """Session A loads the instance; B completes the task and commits; A's write must fail."""
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    a: Session = deployed._sessions()
    a.begin()
    row_a = a.get(ProcessInstance, view.id)
    assert row_a is not None
    loaded_revision = row_a.revision
    deployed.complete(task, {"proposal": "转办"}, "li")  # B, committed
    deployed.runtime.forget()
    with pytest.raises(Conflict):
        deployed.runtime.assign(a, task, SYSTEM, True)  # task row: already completed
    a.rollback()
    a.begin()
    row_a = a.get(ProcessInstance, view.id)
    assert row_a is not None and row_a.revision == loaded_revision + 1
    # A writes against the revision it had loaded before B committed
    result = a.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == view.id, ProcessInstance.revision == loaded_revision)
        .values(status="error")
    )
    assert result.rowcount == 0
    a.rollback()
    a.close()
    assert deployed.instance(view.id).status == "running"


def test_stale_orm_write_raises_conflict(deployed: Engine) -> None:
    interleaving_possible(deployed)
    """The ORM update is conditional on the revision it loaded (version_id_col)."""
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    a = deployed._sessions()
    with a.begin():
        row_a = a.get(ProcessInstance, view.id)
        assert row_a is not None
        deployed.complete(task, {"proposal": "转办"}, "li")  # another session commits
        row_a.revision += 1
        row_a.status = "error"
        with pytest.raises(Conflict):
            flush(a)
        a.rollback()
    a.close()
    assert deployed.instance(view.id).status == "running"


def test_a_command_waiting_for_the_lock_reads_the_tasks_its_holder_committed(
        deployed: Engine) -> None:
    """The open tasks are read after the instance's lock (on PostgreSQL in the same round
    trip): a command that waited for the lock sees what the holder committed meanwhile."""
    interleaving_possible(deployed)
    deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    holder = deployed._sessions()
    outcome: list[BaseException | None] = []

    def waiter() -> None:
        try:
            deployed.complete(task, {"proposal": "转办"}, "li")
            outcome.append(None)
        except BaseException as exc:  # reported by the test's thread
            outcome.append(exc)

    with holder.begin():
        holder.execute(select(ProcessInstance.id).with_for_update())
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.5)  # the waiter is blocked on the lock
        assert not outcome
        holder.execute(update(Task).where(Task.id == task).values(status="cancelled"))
    holder.close()
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert "cancelled" in str(outcome[0]) or "取消" in str(outcome[0])


def test_the_driver_reads_the_values_sqlalchemy_reads(deployed: Engine) -> None:
    """The lock and the open tasks read on the driver's cursor (engine/storage/driver.py)
    come back as SQLAlchemy's own rows would: same values, same types."""
    view = deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    task = only_task(deployed, "li")
    with deployed.transaction() as session:
        session.execute(update(Task).where(Task.id == task).values(signers=["wang", "chen"]))
        reads = [(mirror._OPEN_ROWS, {"instance_id": view.id}),
                 (locking._LOCK_ROW, {"id": view.id}),
                 (locking._LOCK_ROW_BY_TASK, {"task_id": task}),
                 (locking._OPEN_TASKS_OF_TASK, {"task_id": task})]
        for read, params in reads:
            (mine,) = read.rows(session, params)
            (theirs,) = session.connection().execute(read.statement, params)
            expected = dict(theirs._mapping)
            assert mine._mapping == expected
            assert {k: type(v) for k, v in mine._mapping.items()} == \
                {k: type(v) for k, v in expected.items()}
        row, open_rows = locking._locked_with_open_tasks(session, task) \
            if deployed.url.startswith("sqlite") else locking._locked_then_open_tasks(session, task)
        assert row is not None and row.id == view.id and row.data["summary"] == "x"
        assert [r._mapping for r in open_rows] == \
            [r._mapping for r in mirror.open_rows(session, view.id)]
        assert open_rows[0].signers == ["wang", "chen"]


def test_inbox_filters_overdue(deployed: Engine) -> None:
    deployed.start("approval", {"summary": "x", "unit": UNIT}, "li")
    assert deployed.inbox.for_user("li", InboxFilter(overdue=True)) == []
    deployed.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    overdue = deployed.inbox.for_user("li", InboxFilter(overdue=True))
    assert len(overdue) == 1 and overdue[0].overdue
    assert deployed.inbox.for_user("li", InboxFilter(process="other")) == []


def test_messages_from_outside_need_the_waiting_lanes_role(people: Engine) -> None:
    people.add_user("boss", ["city_leader"])
    people.deploy(diagram_files("messages.bpmn"))
    waiting = people.start("waiter", {}, "li", business_key="ZF-2026-000009")
    with pytest.raises(PermissionDenied):
        people.send_message("city_result", {"business_key": "ZF-2026-000009"}, {}, "zhao")
    assert [t.name for t in people.instance(waiting.id).tasks] == ["work"]
    people.send_message("city_result", {"business_key": "ZF-2026-000009"}, {}, "li")
    assert [t.name for t in people.instance(waiting.id).tasks] == ["notified"]


def test_business_key_length_and_deploy_role_are_checked(deployed: Engine) -> None:
    with pytest.raises(InvalidData):
        deployed.start("approval", {"summary": "x", "unit": UNIT}, "li", business_key="x" * 65)
    with pytest.raises(PermissionDenied):
        deployed.deploy(diagram_files("approval.bpmn"), user="li")
    deployed.add_user("des", ["designer"])
    assert [d.created for d in deployed.deploy(diagram_files("approval.bpmn"), user="des")] == [
        False]


def test_tasks_in_a_subprocess_take_their_own_lane_else_the_subprocess_lane(
        people: Engine) -> None:
    people.deploy(diagram_files("nested_lanes.bpmn"))
    view = people.start("nested", {"unit": UNIT}, "zhao")
    assert [(t.name, t.role, t.unit) for t in view.tasks] == [("check", "handler", UNIT)]
    after = people.complete(view.tasks[0].id, {}, "zhao")
    assert [(t.name, t.role) for t in after.tasks] == [("sign", "approver")]


def test_multi_instance_children_completed_by_other_processes_merge_once(
        people: Engine, database_url: str, clock: FixedClock) -> None:
    """Each command in a fresh engine (as separate CLI calls or web workers would be)."""
    people.deploy(diagram_files("multi.bpmn"))
    view = people.start("multi", {}, "li")
    assert sorted(t.name for t in view.tasks) == ["each", "each"]
    for _ in range(2):
        other = Engine(database_url, clock=clock)
        try:
            task = other.inbox.for_user("li")[0]
            other.complete(task.id, {}, "li")
        finally:
            other.close()
    done = people.instance(view.id)
    assert done.status == "completed"
    assert done.data["units"] == ["a", "b"]


def test_a_process_with_a_plain_and_a_message_start_starts_once_by_message(
        people: Engine) -> None:
    people.deploy(diagram_files("two_starts.bpmn"))
    ids = people.send_message("open_complaint", {"business_key": "TS-1"}, {"x": 1}, "li")
    assert len(ids) == 1
    view = people.instance(ids[0])
    assert [t.name for t in view.tasks] == ["handle"] and view.data["x"] == 1
    assert len(people.instance_ids()) == 1
