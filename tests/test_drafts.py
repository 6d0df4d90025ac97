"""暂存 (engine/runtime/drafts.py): one draft per task and user, saved by whoever may complete
the task now, loosely typed, private to its author, no event in the case; gone once the task
is completed or cancelled or leaves its author (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.api import Engine
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.runtime.limits import MB, CommandLimits
from engine.storage.schema import TaskDraft
from engine.time.clock import FixedClock
from tests.conftest import diagram_files

FULIANG = "浮梁县纪委监委"


@pytest.fixture
def eng(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    people.add_user("zhou", ["handler"], unit=FULIANG, display_name="周敏")
    return people


def start(engine: Engine) -> int:
    return engine.start("approval", {"summary": "x", "unit": FULIANG}, "li").id


def open_task(engine: Engine, instance_id: int) -> str:
    [task] = engine.instance(instance_id).tasks
    return task.id


def to_approval(engine: Engine) -> tuple[int, str]:
    case = start(engine)
    engine.complete(open_task(engine, case), {"proposal": "转办"}, "li")
    return case, open_task(engine, case)


def to_handling(engine: Engine) -> tuple[int, str]:
    case, approve = to_approval(engine)
    engine.complete(approve, {"approved": True}, "wang")
    return case, open_task(engine, case)


def test_a_draft_keeps_the_form_fields_and_is_no_case_event(eng: Engine,
                                                            clock: FixedClock) -> None:
    case, approve = to_approval(eng)
    eng.claim(approve, "wang")
    before = eng.instance(case)
    events = len(eng.history(case))
    clock.advance(timedelta(minutes=7))
    saved = eng.drafts.save(approve, {"comment": "拟同意", "stray": 1, "approved": None}, "wang")
    # incomplete (approved is required) and the unknown key dropped; saved at the clock's time
    assert saved.data == {"comment": "拟同意"} and saved.saved_at == clock.now()
    assert saved.claimed is False  # it was wang's already
    draft = eng.drafts.get(approve, "wang")
    assert draft is not None and draft.data == {"comment": "拟同意"}
    assert draft.saved_at == clock.now()
    after = eng.instance(case)
    assert (after.revision, after.data, len(eng.history(case))) == (
        before.revision, before.data, events)
    # saved again: replaced, one per task and user; a field cleared is kept cleared
    eng.drafts.save(approve, {"comment": "", "approved": True}, "wang")
    draft = eng.drafts.get(approve, "wang")
    assert draft is not None and draft.data == {"comment": "", "approved": True}
    assert eng.drafts.marked([approve], "wang") == {approve}


def test_saving_a_draft_of_a_pool_task_claims_it_first(eng: Engine, clock: FixedClock) -> None:
    case, approve = to_approval(eng)
    events = len(eng.history(case))
    clock.advance(timedelta(minutes=3))
    saved = eng.drafts.save(approve, {"comment": "拟同意"}, "wang")
    assert saved.claimed is True
    after = eng.instance(case)
    assert [t.assignee for t in after.tasks] == ["wang"]
    # the claim's own event, as the 认领 button records it; nothing else
    [claimed] = eng.history(case)[events:]
    assert (claimed.type, claimed.user, claimed.payload) == (
        "claimed", "wang", {"task_id": approve, "assignee": "wang"})
    assert claimed.at == clock.now()
    # the pool's other approver cannot take it meanwhile, nor save a draft of it
    with pytest.raises(Conflict):
        eng.claim(approve, "chen")
    with pytest.raises(Conflict):
        eng.drafts.save(approve, {"comment": "陈"}, "chen")
    # whoever may not claim it saves nothing, and claims nothing; nor does a refused draft
    eng.unclaim(approve, "wang")
    with pytest.raises(PermissionDenied):
        eng.drafts.save(approve, {"comment": "x"}, "audit")
    with pytest.raises(InvalidData):
        eng.drafts.save(approve, {"approved": [1]}, "chen")
    assert [t.assignee for t in eng.instance(case).tasks] == [None]
    assert eng.drafts.get(approve, "wang") is not None  # back in the pool, still wang's to do


def test_a_draft_is_its_authors_only(eng: Engine) -> None:
    _, approve = to_approval(eng)
    eng.drafts.save(approve, {"comment": "王的意见"}, "wang")
    eng.unclaim(approve, "wang")  # back in the pool, chen's to work too
    assert eng.drafts.get(approve, "chen") is None  # the other approver of the pool
    assert eng.drafts.marked([approve], "chen") == frozenset()
    assert eng.drafts.discard(approve, "chen") is False  # chen has none; wang's stays
    assert saved_data(eng, approve, "wang") == {"comment": "王的意见"}
    assert eng.drafts.discard(approve, "wang") is True
    assert eng.drafts.discard(approve, "wang") is False
    assert eng.drafts.get(approve, "wang") is None


def test_only_who_may_complete_the_task_saves_a_draft(eng: Engine) -> None:
    case, approve = to_approval(eng)
    with pytest.raises(PermissionDenied):  # reads the case, may not work the step
        eng.drafts.save(approve, {"comment": "x"}, "audit")
    with pytest.raises(NotFound):  # no part in the case: as if there were no such task
        eng.drafts.save(approve, {"comment": "x"}, "qian")
    eng.claim(approve, "wang")
    with pytest.raises(Conflict):
        eng.drafts.save(approve, {"comment": "x"}, "chen")
    eng.complete(approve, {"approved": True}, "wang")
    with pytest.raises(Conflict):  # no longer open
        eng.drafts.save(approve, {"comment": "x"}, "wang")
    with pytest.raises(NotFound):
        eng.drafts.save("no-such-task", {}, "wang")
    assert eng.drafts.get(open_task(eng, case), "zhao") is None


def test_values_are_typed_loosely_and_within_the_size_limit(eng: Engine) -> None:
    _, approve = to_approval(eng)
    # text fits any field: what was typed, not yet a yes or no
    eng.drafts.save(approve, {"approved": "还要再看看"}, "wang")
    with pytest.raises(InvalidData) as refused:
        eng.drafts.save(approve, {"approved": [1], "comment": {"a": 1}}, "wang")
    assert set(refused.value.field_errors) == {"approved", "comment"}
    assert refused.value.said.key == "draft.refused"
    with pytest.raises(InvalidData):
        eng.drafts.save(approve, {"approved": float("nan")}, "wang")
    eng.runtime.limits = CommandLimits(case_bytes=MB)
    with pytest.raises(InvalidData) as large:
        eng.drafts.save(approve, {"comment": "长" * MB}, "wang")
    assert large.value.said.key == "draft.too_large"
    assert "超过上限 1 MB" in large.value.said.render("zh")
    # the refused saves left the last draft as it was
    assert saved_data(eng, approve, "wang") == {"approved": "还要再看看"}


def test_completing_or_cancelling_the_task_deletes_its_drafts(eng: Engine) -> None:
    case, approve = to_approval(eng)
    eng.drafts.save(approve, {"comment": "王"}, "wang")
    eng.unclaim(approve, "wang")
    eng.drafts.save(approve, {"comment": "陈"}, "chen")  # claims it: wang's draft goes
    assert eng.drafts.get(approve, "wang") is None
    assert eng.drafts.get(approve, "chen") is not None
    eng.complete(approve, {"approved": True}, "chen")
    assert _stored(eng) == []
    handle = open_task(eng, case)
    eng.drafts.save(handle, {"result": "属实"}, "zhao")
    eng.ops.terminate(case, "sun", "重复举报")
    assert _stored(eng) == []


def test_a_draft_goes_when_the_task_leaves_its_author(eng: Engine) -> None:
    _, handle = to_handling(eng)
    eng.claim(handle, "zhou")
    eng.drafts.save(handle, {"result": "属实"}, "zhou")
    eng.unclaim(handle, "zhou")  # back in the pool: still zhou's to work
    assert eng.drafts.get(handle, "zhou") is not None
    eng.claim(handle, "zhou")
    eng.ops.transfer(handle, "zhou", "请赵处办理", to_user="zhao")
    assert eng.drafts.get(handle, "zhou") is None and _stored(eng) == []
    eng.drafts.save(handle, {"result": "部分属实"}, "zhao")
    eng.ops.delegate(handle, "zhao", "zhou", "请协助核查")
    assert _stored(eng) == []  # zhao holds it, but zhou works it now
    eng.drafts.save(handle, {"result": "不属实"}, "zhou")
    eng.complete(handle, {"result": "属实"}, "zhou")  # the delegate's part: back to zhao
    assert _stored(eng) == []


def saved_data(engine: Engine, task_id: str, user: str) -> dict[str, object]:
    draft = engine.drafts.get(task_id, user)
    assert draft is not None
    return draft.data


def _stored(engine: Engine) -> list[tuple[str, str]]:
    """Every draft row: (task id, username)."""
    with engine.transaction(read_only=True) as session:
        return [(d.task_id, d.username) for d in session.scalars(select(TaskDraft))]
