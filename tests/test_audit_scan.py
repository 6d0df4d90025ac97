"""Verify and replay over every case, streamed in ranges and shared among worker processes:
the same answers as checking each case on its own, and a tampered event found by a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from engine import BatchRow
from engine.api import Engine
from engine.audit import chain, scan
from engine.cli import main
from engine.storage.schema import Event, ProcessInstance
from tests.conftest import diagram_files

UNIT = "浮梁县纪委监委"
CASES = 9


@pytest.fixture
def cases(people: Engine) -> Engine:
    """Nine cases: three walked one step further, one claimed."""
    people.deploy(diagram_files("approval.bpmn"))
    rows = [BatchRow(n, {"summary": f"第{n}件", "unit": UNIT}, f"scan:{n}")
            for n in range(1, CASES + 1)]
    report = people.start_batch("approval", rows, "li")
    for started in report.started[:3]:
        (task,) = people.instance(started.instance_id).tasks
        people.complete(task.id, {"proposal": "转办"}, "li")
    (task,) = people.instance(report.started[4].instance_id).tasks
    people.claim(task.id, "li")
    return people


def one_by_one(engine: Engine) -> list[chain.ChainProblem]:
    """The chains checked the way a single case is, each with its own reads."""
    with engine.transaction(read_only=True) as session:
        rows = session.execute(select(ProcessInstance).order_by(ProcessInstance.id)).scalars()
        return [p for row in rows if (p := chain.verify_instance(session, row)) is not None]


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_verify_and_replay_agree_with_case_by_case(cases: Engine, workers: int
                                                            ) -> None:
    ranges = scan.id_ranges(cases, chunk=2)
    assert len(ranges) == 5 and ranges[0][0] == 1 and ranges[-1] == (9, 9)
    done: list[int] = []
    verified = scan.scan(cases, scan.VERIFY, workers, chunk=2, progress=done.append)
    assert (verified.instances, verified.events, verified.problems) == (CASES, 13, [])
    assert sum(done) == CASES and one_by_one(cases) == []
    replayed = scan.scan(cases, scan.REPLAY, workers, chunk=4)
    assert (replayed.instances, replayed.events, replayed.diverged) == (CASES, 13, [])


@pytest.mark.tampers
def test_a_tampered_event_is_found_in_parallel(cases: Engine) -> None:
    with cases.transaction() as session:
        session.execute(update(Event).where(Event.instance_id == 5, Event.seq == 2)
                        .values(user="wang"))
        session.execute(update(ProcessInstance).where(ProcessInstance.id == 8)
                        .values(state='{"edited": true}'))
    found = scan.scan(cases, scan.VERIFY, workers=2, chunk=3)
    assert [(p.instance_id, p.seq, p.message) for p in found.problems] == [
        (5, 2, "content does not match its hash"),
        (8, None, "stored state does not match the last event's digest")]
    assert found.problems == one_by_one(cases)
    diverged = scan.scan(cases, scan.REPLAY, workers=2, chunk=3).diverged
    assert diverged == [(8, "the stored state differs from the replayed history")]
    assert cases.verify(workers=2)[1] == found.problems


@pytest.mark.tampers
def test_cli_verify_and_replay_all_in_worker_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    engine = Engine(url)
    engine.add_user("li", ["intake"])
    engine.deploy(diagram_files("approval.bpmn"))
    engine.start_batch("approval", [BatchRow(n, {"summary": "x", "unit": UNIT}, f"c{n}")
                                    for n in range(1, 1200)], "li")
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": url}
    ok = runner.invoke(main, ["verify", "--workers", "2"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "1199 instance(s) checked, 0 broken (1199 event(s))" in ok.stderr
    assert "verifying" in ok.stderr
    replayed = runner.invoke(main, ["replay", "--all", "--workers", "2"], env=env)
    assert "1199 instance(s) replayed, 0 diverged" in replayed.stdout
    with engine.transaction() as session:
        session.execute(update(Event).where(Event.instance_id == 1100).values(user="x"))
    engine.close()
    broken = runner.invoke(main, ["verify", "--workers", "2"], env=env)
    assert broken.exit_code == 1
    assert "instance 1100: event 1: content does not match its hash" in broken.stdout
