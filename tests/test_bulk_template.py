"""Bulk start from a version's start template (engine/runtime/bulk/template.py): every case
it writes is, row for row and byte for byte, the case the ordinary start writes; versions
whose start reads data have none; a template that differs from the ordinary start is found
at the first row of a chunk and dropped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench import pgschema
from engine import BatchRow
from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.org import directory
from engine.org.directory import Directory
from engine.runtime.bulk import template as start_template
from engine.storage import driver
from engine.storage.schema import Base
from engine.time.clock import FixedClock
from tests.conftest import PG_URL, diagram_files
from tests.process_helpers import commitment_files, definitions, load_units
from tests.test_process_commitment_check import START as COMMITMENT_START

# Every table a start writes or might write.
TABLES = ("instances", "events", "tasks", "timers", "message_subscriptions", "notifications",
          "outbox", "case_search", "case_sequences", "attachments", "case_credit_codes")
SUMMARIES = ["企业反映审批超时", 'quotes " and \\ and {braces} {i1} {data}', "表情 😀 与 \u2028",
             "x" * 300]


@pytest.fixture
def other_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh database on the same backend."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'ordinary.db'}"
        return
    with pgschema.fresh_schema(PG_URL, "t_") as url:
        yield url


def add_people(engine: Engine) -> None:
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    engine.add_user("chen", ["approver"])
    engine.add_user("zhao", ["handler"], unit="浮梁县纪委监委")
    engine.add_user("qian", ["handler"], unit="乐平市纪委监委")


def rows(count: int) -> list[BatchRow]:
    units = ["浮梁县纪委监委", "乐平市纪委监委"]
    return [BatchRow(n + 2, {"summary": SUMMARIES[n % len(SUMMARIES)] + str(n),
                             "unit": units[n % 2]}, f"r:{n}") for n in range(count)]


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    out = {}
    with engine.transaction(read_only=True) as session:
        for name in TABLES:
            table = Base.metadata.tables[name]
            query = select(table).order_by(*table.primary_key.columns)
            out[name] = [dict(r._mapping) for r in session.execute(query)]
    return out


def test_template_cases_are_the_ordinary_cases(people: Engine, other_url: str,
                                               clock: FixedClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"render": 0, "same": 0}
    render, same = start_template.render, start_template.same_as_ordinary

    def counted_render(*args: Any) -> Any:
        calls["render"] += 1
        return render(*args)

    def counted_same(*args: Any) -> Any:
        calls["same"] += 1
        return same(*args)

    monkeypatch.setattr(start_template, "render", counted_render)
    monkeypatch.setattr(start_template, "same_as_ordinary", counted_same)
    people.add_user("xu", ["intake"])  # told of the first steps li's run makes
    people.deploy(diagram_files("approval.bpmn"))
    report = people.bulk.run("approval", rows(9), "li", chunk=4)
    assert len(report.started) == 9 and not report.invalid
    assert calls == {"render": 9, "same": 3}  # every row; compared at each chunk's first

    monkeypatch.setattr(start_template, "build", lambda *args: None)
    ordinary = Engine(other_url, clock=clock)
    try:
        add_people(ordinary)
        ordinary.add_user("xu", ["intake"])
        ordinary.deploy(diagram_files("approval.bpmn"))
        again = ordinary.bulk.run("approval", rows(9), "li", chunk=4)
        assert [s.as_json() for s in again.started] == [s.as_json() for s in report.started]
        expected = snapshot(ordinary)
    finally:
        ordinary.close()
    got = snapshot(people)
    assert got["tasks"] and got["notifications"] and got["case_search"]
    for name in TABLES:
        assert got[name] == expected[name], name
    assert people.verify() == (9, [])
    case = people.instance(report.started[1].instance_id)
    assert [t.name for t in case.tasks] == ["propose"]


def test_a_template_case_goes_on_like_any_other(people: Engine) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    report = people.start_batch("approval", rows(3), "li")
    case = people.instance(report.started[2].instance_id)
    (task,) = case.tasks
    people.claim(task.id, "li")
    after = people.complete(task.id, {"proposal": "转办"}, "li")
    assert [t.name for t in after.tasks] == ["approve"]
    assert people.verify() == (3, [])  # the engine fixture replays every case too


@pytest.mark.parametrize(("diagram", "key"), [("timers.bpmn", "timers"),
                                             ("multi.bpmn", "multi"),
                                             ("two_starts.bpmn", "two_starts")])
def test_a_start_that_waits_or_reads_data_otherwise_has_no_template(
        people: Engine, clock: FixedClock, diagram: str, key: str) -> None:
    people.deploy(diagram_files(diagram))
    with people.transaction(read_only=True) as session:
        version = people.versions.latest(session, key)
        assert start_template.build(people.runtime, session, version, {}, clock.now()) is None


@pytest.mark.tampers
def test_a_template_that_differs_is_dropped(people: Engine,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    render = start_template.render

    calls = []

    def wrong(*args: Any) -> start_template.Rendered:
        calls.append(1)
        made = render(*args)
        made.state_text = made.state_text.replace('"state":16', '"state":32')
        return made

    monkeypatch.setattr(start_template, "render", wrong)
    people.deploy(diagram_files("approval.bpmn"))
    report = people.bulk.run("approval", rows(5), "li", chunk=2)
    assert len(report.started) == 5 and len(calls) == 1  # dropped at the first row
    assert people.verify() == (5, [])
    diverged = [i for i in people.instance_ids() if not people.replay(i).ok]
    assert diverged == []


def test_only_plain_json_rows_take_the_template() -> None:
    assert start_template.plain({"a": [1, 2.5, None, True, {"b": "c"}]})
    assert not start_template.plain({"a": (1, 2)})
    assert not start_template.plain({1: "a"})
    assert not start_template.plain({"a": {1, 2}})


def named_approval() -> list[SourceFile]:
    """approval.bpmn whose cases are named by the start form's ``ref`` field."""
    files = diagram_files("approval.bpmn")
    for n, f in enumerate(files):
        if f.name == "approval.bpmn":
            files[n] = SourceFile("named.bpmn", f.content.replace(
                '<camunda:property name="case_prefix" value="TS" />', "")
                .replace('id="approval"', 'id="named"').replace('processRef="approval"',
                                                                  'processRef="named"'))
        elif f.name == "test_register.json":
            form = json.loads(f.content)
            form["properties"]["ref"] = {"type": "string", "title": "编号",
                                         "x-business-key": True}
            files[n] = SourceFile(f.name, json.dumps(form, ensure_ascii=False))
    return files


def test_a_name_twice_in_one_chunk_is_refused_at_its_row(people: Engine) -> None:
    people.deploy(named_approval())
    data = [{"summary": "一", "unit": "浮梁县纪委监委", "ref": "JDZ-1"},
            {"summary": "二", "unit": "浮梁县纪委监委", "ref": "JDZ-2"},
            {"summary": "三", "unit": "浮梁县纪委监委", "ref": "JDZ-1"}]
    report = people.bulk.run("named", [BatchRow(n + 2, d, f"n:{n}") for n, d in
                                       enumerate(data)], "li", skip_invalid=True)
    assert [s.business_key for s in report.started] == ["JDZ-1", "JDZ-2"]
    assert [p.line for p in report.invalid] == [4]
    assert people.verify() == (2, [])


def test_grouped_writes_keep_each_statements_order_and_checked_writes_alone() -> None:
    first, second = object(), object()

    def check(count: int) -> None:
        pass

    held: list[Any] = [(first, [{"a": 1}], None), (second, [{"b": 1}], None),
                       (first, [{"a": 2}], None), (second, [{"b": 2}], check),
                       (first, [{"a": 3}, {"a": 4}], None), (second, [{"b": 3}], None)]
    assert driver._grouped(held) == [
        (first, [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}], None),
        (second, [{"b": 1}], None), (second, [{"b": 2}], check), (second, [{"b": 3}], None)]


def test_task_ids_as_text_are_the_engines_task_ids() -> None:
    from engine.runtime import spiff_seam
    for seed in ("1", "123456789", "编号"):
        source = spiff_seam.IdSource(seed)
        assert start_template._id_texts(seed, 50) == [str(source.next()) for _ in range(50)]


@pytest.mark.parametrize("data", [
    {}, {"摘要": "企业", "unit": "浮梁县纪委监委"},
    {"b": 1, "a": [1.5, None, True], "c": {"z": 'a "quote"', "y": "😀"}},
    {"k\\u00e9": "back\\slash", "%s": "{i1}", "": ""}])
def test_a_rendered_start_is_the_ordinary_start(people: Engine, clock: FixedClock,
                                                data: dict[str, Any]) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    with people.transaction(read_only=True) as session:
        version = people.versions.latest(session, "approval")
        template = start_template.build(people.runtime, session, version, data, clock.now())
        assert template is not None
        made = start_template.render(template, "4711", data, clock.now())
        assert start_template.same_as_ordinary(people.runtime, session, version, template,
                                               made, data, clock.now(), "4711")


# The shipped procedures a bulk start is for: their starts read data and time before the
# first wait (a decision table asking the unit directory, a gateway, a due date from now).
SHIPPED = {
    "subsidy_automatic": (lambda: definitions(
        ["subsidy_automatic.bpmn", "policy_catalogue.dmn"],
        ["subsidy_automatic_*.json", "subsidy_report_receipt.json"]),
        ("gxj", ["policy_dept"], "市工信局"),
        lambda n: {"policy_id": "MS-001", "batch_note": f"第{n}批"}),  # 市工信局's policy
    "commitment_check": (commitment_files, ("fgw", ["responsible_unit"], "市发改委"),
                         lambda n: {**COMMITMENT_START, "permit_no": f"景市监住承〔2026〕{n}号",
                                    "enterprise_name": f"景德镇某陶瓷有限公司{n}"}),
}


def shipped_world(engine: Engine, key: str) -> tuple[str, list[BatchRow]]:
    files, (user, roles, unit), row = SHIPPED[key]
    load_units(engine)
    engine.add_user(user, roles, unit=unit)
    engine.deploy(files())
    return user, [BatchRow(n + 2, row(n), f"s:{n}") for n in range(9)]


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_shipped_starts_that_read_data_take_templates_that_are_the_ordinary_start(
        engine: Engine, other_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
        key: str) -> None:
    calls = {"build": 0, "render": 0, "same": 0}
    build, render = start_template.build, start_template.render
    same = start_template.same_as_ordinary

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)
        return call

    for name, call, real in (("build", "build", build), ("render", "render", render),
                             ("same_as_ordinary", "same", same)):
        monkeypatch.setattr(start_template, name, counted(call, real))
    user, batch = shipped_world(engine, key)
    report = engine.bulk.run(key, batch, user, chunk=4)
    assert len(report.started) == 9 and not report.invalid
    # every row from a template, checked at its first row in every chunk (chunks of 4, 4 and
    # 1 rows); 免申即享's built once, the 核查's once per chunk, as its start reads the time
    # (a chunk's cases start at one time)
    builds = 1 if key == "subsidy_automatic" else 3
    assert calls == {"build": builds, "render": 9, "same": 3}

    monkeypatch.setattr(start_template, "build", lambda *args: None)
    ordinary = Engine(other_url, clock=clock)
    try:
        user, batch = shipped_world(ordinary, key)
        again = ordinary.bulk.run(key, batch, user, chunk=4)
        assert [s.as_json() for s in again.started] == [s.as_json() for s in report.started]
        expected = snapshot(ordinary)
    finally:
        ordinary.close()
    got = snapshot(engine)
    assert got["tasks"] and got["events"]
    for name in TABLES:
        assert got[name] == expected[name], name
    assert engine.verify() == (9, [])


def test_a_template_serves_only_rows_with_the_values_its_start_read(
        engine: Engine, clock: FixedClock) -> None:
    shipped_world(engine, "subsidy_automatic")
    with engine.transaction(read_only=True) as session:
        version = engine.versions.latest(session, "subsidy_automatic")
        initial = {"policy_id": "MS-001", "batch_note": "第1批", "case_no": "MSJX-2026-000001"}
        template = start_template.build(engine.runtime, session, version, initial, clock.now())
        assert template is not None and template.reads == ("policy_id",)
        assert template.asked  # the catalogue names the department by its directory id
        units = directory.load(session)
        assert template.serves({**initial, "batch_note": "另一批", "case_no": "MSJX-2"},
                               clock.now(), units)
        assert not template.serves({**initial, "policy_id": "MS-002"}, clock.now(), units)
        assert not template.serves({"batch_note": "第1批", "policy_id": "MS-001",
                                    "case_no": "MSJX-2"}, clock.now(), units)  # another order
        assert not template.serves(initial, clock.now(), Directory([]))  # another directory
        made = start_template.render(template, "77", {**initial, "batch_note": "另一批"},
                                     clock.now())
        assert made.data["batch_note"] == "另一批" and made.data["policy_name"]
        assert start_template.same_as_ordinary(engine.runtime, session, version, template, made,
                                    {**initial, "batch_note": "另一批"}, clock.now(), "77")


def test_a_start_that_reads_the_time_has_a_template_for_that_time_only(
        engine: Engine, clock: FixedClock) -> None:
    _, batch = shipped_world(engine, "commitment_check")
    with engine.transaction(read_only=True) as session:
        version = engine.versions.latest(session, "commitment_check")
        initial = {**batch[0].data, "case_no": "GZCN-1"}
        template = start_template.build(engine.runtime, session, version, initial, clock.now())
        assert template is not None and template.at == clock.now()
        later = clock.now() + timedelta(seconds=1)
        assert not template.serves(initial, later, directory.load(session))


def test_a_start_that_overwrites_a_value_it_did_not_read_has_no_template() -> None:
    stand_ins = {"note": start_template._STAND_IN % 0}
    assert start_template._kept({"note": stand_ins["note"], "x": 1}, stand_ins)
    assert start_template._kept({"x": 1}, stand_ins)
    assert not start_template._kept({"note": "overwritten"}, stand_ins)
    assert not start_template._kept({"copy": [stand_ins["note"]]}, stand_ins)
