"""Offline bundles of migrated cases: the bundle carries every version the case ran on, replay
switches versions at the ``migrated`` event as it does online, and the digest covers every
version's files. A case that was never migrated bundles exactly as before."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.audit.bundle import replay_bundle, seal
from engine.definitions.registry import content_hash, sha256
from engine.time.clock import FixedClock
from tests.test_migration_instances import (
    APPROVE_DUE,
    PROPOSAL,
    approve_form_with_note,
    clue_files,
    clues,  # noqa: F401 - the fixture
    do,
    open_cases,
    with_approval_deadline,
)

BPMN = "clue_triage.bpmn"
REGISTER_SCRIPT = "registered_at = now()\nday_start = registered_at"
# the keys of every bundle before migration existed
OLD_KEYS = {"format", "digest", "instance", "version", "calendar_overrides", "events"}


def exported(engine: Engine, instance_id: int) -> dict[str, Any]:
    """The bundle as an auditor's file holds it (through JSON)."""
    return json.loads(json.dumps(engine.export_bundle(instance_id), ensure_ascii=False))


@pytest.fixture
def migrated(clues: Engine, clock: FixedClock) -> tuple[Engine, int]:  # noqa: F811
    """A case that started on version 1, moved to version 2 at the approval and went on
    there (the approval note only version 2's form takes)."""
    a, _, _ = open_cases(clues, clock)
    clues.deploy(clue_files(with_approval_deadline("workday_close(1, start=day_start)"),
                            approve_form_with_note()))
    clues.migrate_instances("clue_triage", to_version=2, instance_id=a)
    do(clues, a, "approve", "wang", {"approved": True, "approve_note": "按期转办"})
    do(clues, a, "transfer", "li")
    assert [e.type for e in clues.history(a)] == [  # the transfer issued its 交办函
        "started", "completed", "migrated", "completed", "completed", "document"]
    return clues, a


def test_a_migrated_case_replays_from_its_bundle(migrated: tuple[Engine, int]) -> None:
    engine, case = migrated
    moved = engine.history(case)[2].payload
    data = exported(engine, case)
    engine.close()  # nothing below touches a database
    assert data["version"]["id"] == moved["to_version_id"]
    assert data["version"]["version"] == 2
    assert list(data["earlier_versions"]) == [str(moved["from_version_id"])]
    v1 = data["earlier_versions"][str(moved["from_version_id"])]
    assert (v1["id"], v1["version"]) == (moved["from_version_id"], 1)
    # each version with its own exact files
    assert APPROVE_DUE in v1["files"][BPMN]
    assert APPROVE_DUE not in data["version"]["files"][BPMN]
    assert "workday_close(1, start=day_start)" in data["version"]["files"][BPMN]
    assert "approve_note" not in v1["files"]["clue_approve.json"]
    assert "approve_note" in data["version"]["files"]["clue_approve.json"]
    result = replay_bundle(data)
    assert result.as_json() == {"ok": True, "events": 6, "diverged_at": None, "message": ""}


def test_a_case_moved_twice_carries_both_earlier_versions(migrated: tuple[Engine, int]) -> None:
    engine, case = migrated
    engine.deploy(clue_files())  # the rollback: version 1's files again make version 3
    report = engine.migrate_instances("clue_triage", instance_id=case)
    assert [(o.from_version, o.to_version) for o in report.outcomes] == [(2, 3)]
    data = exported(engine, case)
    assert data["version"]["version"] == 3
    assert sorted(v["version"] for v in data["earlier_versions"].values()) == [1, 2]
    # version 3 repeats version 1's files: its content hash is salted with its number, and
    # the bundle's check recomputes it from the files and the number the event recorded
    pinned = engine.history(case)[-1].payload["to_content_hash"]
    plain = content_hash([(n, "", t) for n, t in data["version"]["files"].items()])
    assert pinned == sha256(f"{plain}:3") and plain == engine.history(case)[0].payload[
        "content_hash"]
    assert replay_bundle(data).as_json() == {"ok": True, "events": 7, "diverged_at": None,
                                             "message": ""}


def test_a_migrated_bundle_without_its_earlier_version_names_it(
        migrated: tuple[Engine, int]) -> None:
    """A bundle that lacks the version the case started on (as bundles did before they carried
    every version) fails at the first event, naming the version, instead of replaying wrong."""
    engine, case = migrated
    first = engine.history(case)[0].payload["version_id"]
    data = exported(engine, case)
    del data["earlier_versions"]
    result = replay_bundle(seal(data))
    assert not result.ok and result.diverged_at == 1
    assert f"process version id {first}" in result.message
    assert "does not carry" in result.message


def test_tampering_with_the_earlier_versions_files_is_detected(
        migrated: tuple[Engine, int]) -> None:
    engine, case = migrated
    data = exported(engine, case)
    (old,) = data["earlier_versions"].values()
    assert REGISTER_SCRIPT in old["files"][BPMN]
    old["files"][BPMN] = old["files"][BPMN].replace(
        REGISTER_SCRIPT, REGISTER_SCRIPT + "\npriority = 'high'")
    result = replay_bundle(data)
    assert not result.ok and "digest" in result.message
    # a forger who recomputes the digest: the started event pins version 1's files
    result = replay_bundle(seal(data))
    assert (result.ok, result.events) == (False, 0)
    assert result.message.startswith(f"version 1 of clue_triage (id {old['id']}): its files "
                                     "do not match the content hash recorded at event 1")
    # the digest covers every file of every version, also those replay does not run (forms)
    data = exported(engine, case)
    (old,) = data["earlier_versions"].values()
    old["files"]["clue_approve.json"] = data["version"]["files"]["clue_approve.json"]
    result = replay_bundle(data)
    assert not result.ok and "digest" in result.message
    # and resealed, the pin catches the form, which leaves every state as it was
    result = replay_bundle(seal(data))
    assert not result.ok and result.message.startswith("version 1 of clue_triage")


def test_the_migrated_event_pins_the_target_version(migrated: tuple[Engine, int]) -> None:
    """The version the case moved to is pinned by the migrated event (event 3), not by the
    started one: its form edited and the bundle resealed, replay names version 2."""
    engine, case = migrated
    started, moved = engine.history(case)[0].payload, engine.history(case)[2].payload
    assert started["content_hash"] != moved["to_content_hash"]
    data = exported(engine, case)
    data["version"]["files"]["clue_approve.json"] = data["version"]["files"][
        "clue_approve.json"].replace("approve_note", "approval_note")
    result = replay_bundle(seal(data))
    assert not result.ok and result.events == 0
    assert result.message.startswith(f"version 2 of clue_triage (id {moved['to_version_id']})"
                                     ": its files do not match the content hash recorded at "
                                     "event 3")


def test_a_never_migrated_case_bundles_as_before(clues: Engine,  # noqa: F811
                                                 clock: FixedClock) -> None:
    _, b, _ = open_cases(clues, clock)
    do(clues, b, "propose", "li", PROPOSAL)
    data = exported(clues, b)
    assert set(data) == OLD_KEYS  # no earlier versions: the shape bundles always had
    assert replay_bundle(data).ok
    data["version"]["files"][BPMN] += "\n"
    assert "digest" in replay_bundle(data).message
