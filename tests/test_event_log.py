"""The hash-chained event log records what replay needs and detects tampering."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, select, update

from engine.api import Engine
from engine.audit.chain import GENESIS
from engine.runtime.state import canonical_json
from engine.storage.schema import Event, ProcessInstance, ProcessVersion
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"


@pytest.fixture
def case(people: Engine) -> tuple[Engine, int]:
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.claim(view.tasks[0].id, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    return people, view.id


def test_every_command_appends_a_chained_event_with_what_replay_needs(case: tuple[Engine, int]
                                                                      ) -> None:
    engine, instance_id = case
    events = engine.history(instance_id)
    assert [(e.seq, e.type, e.user) for e in events] == [
        (1, "started", "li"), (2, "claimed", "li"), (3, "completed", "li")]
    started = events[0].payload
    assert started["process_key"] == "approval" and started["version"] == 1
    with engine.transaction() as session:  # the version's files are pinned (engine/audit/chain.py)
        version = session.get(ProcessVersion, started["version_id"])
        assert version is not None and started["content_hash"] == version.content_hash
    assert started["data"] == {"summary": "x", "unit": UNIT, "case_no": "TS-2026-000001"}
    assert events[2].task_id == events[1].task_id == events[2].payload["task_id"]
    assert events[2].payload["data"] == {"proposal": "转办"}
    assert events[0].at.isoformat() == "2026-09-30T08:00:00+00:00"
    prev = GENESIS
    with engine.transaction() as session:
        rows = session.execute(select(Event).where(Event.instance_id == instance_id)
                               .order_by(Event.seq)).scalars().all()
        for row in rows:
            body = {
                "instance_id": row.instance_id, "seq": row.seq, "type": row.type,
                "task_id": row.task_id, "payload": row.payload, "user": row.user,
                "at": row.at.isoformat(), "state_digest": row.state_digest,
            }
            expected = hashlib.sha256((prev + canonical_json(body)).encode()).hexdigest()
            assert row.prev_hash == prev and row.hash == expected
            prev = row.hash
    assert engine.verify() == (1, [])


def tamper(engine: Engine, statement: object) -> None:
    with engine.transaction() as session:
        session.execute(statement)  # type: ignore[call-overload]


@pytest.mark.tampers
@pytest.mark.parametrize("how", ["edit", "delete_last", "delete_middle", "insert", "reorder",
                                 "state"])
def test_tampering_is_detected_at_the_right_event(case: tuple[Engine, int], how: str) -> None:
    engine, instance_id = case
    where = (Event.instance_id == instance_id)
    if how == "edit":
        tamper(engine, update(Event).where(where, Event.seq == 2).values(user="wang"))
        expected = (2, "content does not match its hash")
    elif how == "delete_last":
        tamper(engine, delete(Event).where(where, Event.seq == 3))
        expected = (3, "events were removed or added")
    elif how == "delete_middle":
        tamper(engine, delete(Event).where(where, Event.seq == 2))
        expected = (3, "out of sequence")
    elif how == "insert":  # a forged claim slipped in before the completion
        with engine.transaction() as session:
            session.execute(update(Event).where(where, Event.seq == 3).values(seq=4))
            forged = session.execute(select(Event).where(where, Event.seq == 2)).scalar_one()
            session.add(Event(instance_id=instance_id, seq=3, type="claimed",
                              task_id=forged.task_id, payload={"assignee": "wang"},
                              user="wang", at=forged.at, state_digest=forged.state_digest,
                              prev_hash=forged.hash, hash="f" * 64))
        expected = (3, "content does not match its hash")
    elif how == "reorder":
        with engine.transaction() as session:
            session.execute(update(Event).where(where, Event.seq == 2).values(seq=99))
            session.execute(update(Event).where(where, Event.seq == 3).values(seq=2))
            session.execute(update(Event).where(where, Event.seq == 99).values(seq=3))
        expected = (2, "does not link to the previous event")
    else:
        with engine.transaction() as session:
            row = session.get(ProcessInstance, instance_id)
            assert row is not None
            state = json.loads(row.state)
            state["next_id"] += 1
            session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                            .values(state=json.dumps(state)))
        expected = (None, "stored state does not match")
    checked, problems = engine.verify()
    assert checked == 1 and len(problems) == 1
    assert problems[0].seq == expected[0]
    assert expected[1] in problems[0].message
