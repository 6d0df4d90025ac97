"""The event chain pins the process definition files: a ``started`` event records its version's
content hash, a ``migrated`` event its target's (engine/chain.py). ``kuaiban verify`` checks
the stored files against it, bundle replay the carried ones; events recorded before versions
were pinned pin nothing and still verify and replay."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from engine.api import Engine
from engine.audit import chain
from engine.audit.bundle import replay_bundle, seal
from engine.cli import main
from engine.definitions.registry import has_content_hash, sha256
from engine.definitions.validation import SourceFile
from engine.storage.schema import DefinitionFile, Event, ProcessInstance, ProcessVersion
from tests.conftest import diagram_files
from tests.test_bundle_migrated import migrated  # noqa: F401 - the fixture
from tests.test_migration_instances import clues  # noqa: F401 - the fixture

UNIT = "浮梁县纪委监委"
START = {"summary": "x", "unit": UNIT}
BPMN = "approval.bpmn"
HANDLE_DUE = 'camunda:dueDate="workday_close(1)"'


@pytest.fixture
def case(people: Engine) -> tuple[Engine, int]:
    people.deploy(diagram_files(BPMN))
    return people, people.start("approval", START, "li").id


def exported(engine: Engine, instance_id: int) -> dict[str, Any]:
    return json.loads(json.dumps(engine.export_bundle(instance_id), ensure_ascii=False))


def test_the_files_alone_give_the_recorded_content_hash(case: tuple[Engine, int]) -> None:
    engine, instance_id = case
    started = engine.history(instance_id)[0].payload
    files = exported(engine, instance_id)["version"]["files"]
    assert sorted(files) == [BPMN, "test_approve.json", "test_handle.json", "test_propose.json",
                             "test_register.json"]
    assert has_content_hash(files, None, started["content_hash"])  # no number needed: unsalted
    assert not has_content_hash({**files, "test_handle.json": files["test_handle.json"] + " "},
                                1, started["content_hash"])
    assert not has_content_hash({k: v for k, v in files.items() if k != "test_handle.json"},
                                1, started["content_hash"])


def _edit_stored_bpmn(engine: Engine, instance_id: int, how: str) -> int:
    """Change the case's diagram in the file store (a later due date); the version's id."""
    with engine.transaction() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        version = session.get(ProcessVersion, instance.version_id)
        assert version is not None
        (ref,) = [r for r in version.files if r["name"] == BPMN]
        stored = session.get(DefinitionFile, ref["sha256"])
        assert stored is not None and HANDLE_DUE in stored.content
        text = stored.content.replace(HANDLE_DUE, 'camunda:dueDate="workday_close(5)"')
        row = DefinitionFile.sha256 == ref["sha256"]
        if how == "edit":  # the text behind the same key
            session.execute(update(DefinitionFile).where(row).values(content=text))
        elif how == "rekey":  # a forger who keeps the store consistent: new key, new reference
            session.execute(update(DefinitionFile).where(row)
                            .values(sha256=sha256(text), content=text))
            refs = [{**r, "sha256": sha256(text)} if r["name"] == BPMN else r
                    for r in version.files]
            session.execute(update(ProcessVersion).where(ProcessVersion.id == version.id)
                            .values(files=refs))
        else:
            session.execute(delete(DefinitionFile).where(row))
        return version.id


@pytest.mark.tampers
@pytest.mark.parametrize("how, problem", [
    ("edit", "file approval.bpmn was edited: its text no longer matches its sha256"),
    ("rekey", "its files (approval.bpmn, test_approve.json, test_handle.json, "
              "test_propose.json, test_register.json) no longer give the content hash this "
              "event recorded"),
    ("delete", "file approval.bpmn is missing from the stored files"),
])
def test_a_definition_file_changed_in_the_database_is_reported(
        case: tuple[Engine, int], database_url: str, how: str, problem: str) -> None:
    engine, first = case
    second = engine.start("approval", START, "li").id
    assert engine.verify() == (2, [])
    version_id = _edit_stored_bpmn(engine, first, how)
    # the states are untouched (the handling task is not open yet): only the pin sees it
    checked, problems = engine.verify()
    assert checked == 2
    assert [str(p) for p in problems] == [
        f"instance {i}: event 1: version 1 of approval (id {version_id}): {problem}"
        for i in (first, second)]
    result = CliRunner().invoke(main, ["verify"], env={"KUAIBAN_DATABASE_URL": database_url})
    assert result.exit_code == 1, result.output
    assert f"instance {first}: event 1: version 1 of approval" in result.output


@pytest.mark.tampers
def test_the_version_a_case_migrated_to_is_pinned_by_the_migrated_event(
        migrated: tuple[Engine, int]) -> None:  # noqa: F811
    engine, case = migrated
    moved = engine.history(case)[2].payload
    with engine.transaction() as session:
        version = session.get(ProcessVersion, moved["to_version_id"])
        assert version is not None and version.content_hash == moved["to_content_hash"]
        (ref,) = [r for r in version.files if r["name"] == "clue_approve.json"]
        session.execute(update(DefinitionFile).where(DefinitionFile.sha256 == ref["sha256"])
                        .values(content='{"title": "审批", "properties": {}}'))
    _, problems = engine.verify()
    assert [(p.instance_id, p.seq) for p in problems] == [(case, 3)]
    assert problems[0].message.startswith(
        f"version 2 of clue_triage (id {moved['to_version_id']}): file clue_approve.json")


def test_a_resealed_bundle_with_an_edited_form_is_refused(case: tuple[Engine, int]) -> None:
    """The form is not run by replay, so every state replays as recorded: the digest, which
    the forger recomputes, and the pin are what catch it."""
    engine, instance_id = case
    data = exported(engine, instance_id)
    version = data["version"]
    version["files"]["test_register.json"] = version["files"]["test_register.json"].replace(
        '"summary"', '"summary_edited"')
    result = replay_bundle(seal(data))
    assert result.as_json() == {
        "ok": False, "events": 0, "diverged_at": None,
        "message": f"version 1 of approval (id {version['id']}): its files do not match the "
                   "content hash recorded at event 1; the bundle's files were changed"}


def _as_before_pinning(engine: Engine, instance_id: int) -> None:
    """Rewrite the case as the engine recorded it before versions were pinned: the started
    event without a content hash, and the chain as it was then."""
    with engine.transaction() as session:
        events = chain.events_of(session, instance_id)
        payload = {k: v for k, v in events[0].payload.items() if k != "content_hash"}
        session.execute(update(Event).where(Event.id == events[0].id).values(payload=payload))
        session.expire_all()
        prev = chain.GENESIS
        for event in chain.events_of(session, instance_id):
            digest = chain.chain_hash(prev, event)
            session.execute(update(Event).where(Event.id == event.id)
                            .values(prev_hash=prev, hash=digest))
            prev = digest
        session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                        .values(last_hash=prev))


@pytest.mark.tampers
def test_an_event_recorded_before_pinning_still_verifies_and_replays(
        case: tuple[Engine, int]) -> None:
    engine, instance_id = case
    task = engine.instance(instance_id).tasks[0]
    engine.claim(task.id, "li")
    engine.complete(task.id, {"proposal": "转办"}, "li")
    _as_before_pinning(engine, instance_id)
    assert "content_hash" not in engine.history(instance_id)[0].payload
    assert engine.verify() == (1, [])
    assert engine.replay(instance_id).ok
    data = exported(engine, instance_id)
    assert replay_bundle(data).as_json() == {"ok": True, "events": 3, "diverged_at": None,
                                             "message": ""}
    # such an event pins nothing: a changed form goes unnoticed, in a resealed bundle as in
    # the file store (docs/chain.md: only a chain head kept elsewhere catches it)
    data["version"]["files"]["test_register.json"] += " "
    assert replay_bundle(seal(data)).ok
    _edit_stored_bpmn(engine, instance_id, "edit")
    assert engine.verify() == (1, [])


def test_a_version_that_repeats_older_content_is_pinned_too(people: Engine) -> None:
    """Deploying version 1's files again makes version 3 under a content hash salted with its
    number; the check recomputes it from the files and the number the event recorded."""
    people.deploy(diagram_files(BPMN))
    edited = [f if f.name != BPMN else SourceFile(f.name, f.content.replace(
        HANDLE_DUE, 'camunda:dueDate="workday_close(2)"')) for f in diagram_files(BPMN)]
    people.deploy(edited)
    assert [d.version for d in people.deploy(diagram_files(BPMN))] == [3]
    instance_id = people.start("approval", START, "li").id
    started = people.history(instance_id)[0].payload
    with people.transaction() as session:
        hashes = {v: h for v, h in session.execute(select(ProcessVersion.version,
                                                          ProcessVersion.content_hash))}
    assert started["version"] == 3 and started["content_hash"] == hashes[3]
    assert hashes[3] == sha256(f"{hashes[1]}:3")
    assert people.verify() == (1, [])
    data = exported(people, instance_id)
    assert replay_bundle(data).ok
    data["version"]["files"]["test_handle.json"] += " "
    assert replay_bundle(seal(data)).message.startswith("version 3 of approval")
    data = exported(people, instance_id)
    data["version"]["version"] = 1  # the number that salts comes from the chained event
    assert replay_bundle(seal(data)).ok
