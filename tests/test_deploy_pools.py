"""A BPMN file with several processes (a pool each): a change to one process is no new
version of the others; a change of another's own shapes still is
(engine/definitions/own_content.py)."""

from __future__ import annotations

from engine import draft_files, load_version
from engine.api import Engine
from engine.definitions.files import SourceFile
from tests.process_helpers import clue_files

PROPOSE = 'name="提出处置意见"'
COPY_SHAPE = '<bpmndi:BPMNShape id="copy_ledger_di" bpmnElement="copy_ledger">\n' \
    '        <dc:Bounds x="1900" y="1155"'


def _changed(old: str, new: str) -> list[SourceFile]:
    files = clue_files()
    [triage] = [f for f in files if f.name.endswith("clue_triage.bpmn")]
    assert triage.content.count(old) == 1
    return [SourceFile(f.name, f.content.replace(old, new)) if f is triage else f
            for f in files]


def _versions(engine: Engine) -> dict[str, int]:
    return {p.key: p.version for p in engine.processes()
            if p.key in ("clue_triage", "clue_ledger_copy")}


def test_a_task_renamed_in_one_pool_makes_no_version_of_the_other(engine: Engine) -> None:
    engine.deploy(clue_files())
    engine.add_user("designer", ["designer"])
    renamed = _changed(PROPOSE, 'name="提出线索处置意见"')
    preview = {p.key: p for p in engine.deploy_preview(renamed, "designer")}
    assert (preview["clue_triage"].version, preview["clue_triage"].created) == (2, True)
    assert (preview["clue_ledger_copy"].version, preview["clue_ledger_copy"].created) \
        == (1, False)
    assert preview["clue_ledger_copy"].diff is None
    engine.deploy(renamed)
    assert _versions(engine) == {"clue_triage": 2, "clue_ledger_copy": 1}
    engine.deploy(renamed)  # and again: nothing new
    assert _versions(engine) == {"clue_triage": 2, "clue_ledger_copy": 1}


def test_a_shape_of_its_own_moved_still_makes_a_version(engine: Engine) -> None:
    engine.deploy(clue_files())
    moved = _changed(COPY_SHAPE, COPY_SHAPE.replace('x="1900"', 'x="1920"'))
    engine.deploy(moved)
    assert _versions(engine) == {"clue_triage": 1, "clue_ledger_copy": 2}


def test_the_other_pool_changed_alone_makes_a_version_of_it_alone(engine: Engine) -> None:
    engine.deploy(clue_files())
    engine.deploy(_changed('name="签收问题线索台账"', 'name="签收线索台账"'))
    assert _versions(engine) == {"clue_triage": 1, "clue_ledger_copy": 2}


def test_a_form_deployed_alone_later_keeps_the_other_pools_change(engine: Engine) -> None:
    """The latest versions of a file's processes may hold different texts of it: a form
    deployed alone makes its process's new version from the file's newest text, so the
    other process does not go back to an older one."""
    engine.deploy(clue_files())
    engine.deploy(_changed(PROPOSE, 'name="提出线索处置意见"'))
    [form] = [f for f in clue_files() if f.name.endswith("clue_ledger_copy.json")]
    engine.deploy([SourceFile(form.name, form.content.replace("签收备注", "签收说明"))])
    assert _versions(engine) == {"clue_triage": 2, "clue_ledger_copy": 2}


def test_the_draft_of_the_unchanged_process_holds_the_other_pool_as_it_is_now(
        engine: Engine) -> None:
    """Edited and deployed, the draft of clue_ledger_copy (still version 1) must not take
    clue_triage back to its first text."""
    engine.deploy(clue_files())
    engine.deploy(_changed(PROPOSE, 'name="提出线索处置意见"'))
    with engine.transaction() as session:
        copy = draft_files(session, load_version(engine, session, "clue_ledger_copy", 1))
        first = draft_files(session, load_version(engine, session, "clue_triage", 1))
    [copy_text] = [t for n, t in copy.items() if n.endswith(".bpmn")]
    [first_text] = [t for n, t in first.items() if n.endswith(".bpmn")]
    assert 'name="提出线索处置意见"' in copy_text
    assert PROPOSE in first_text  # an older version of the changed process: as deployed
    engine.deploy([SourceFile(n, t) for n, t in copy.items()])
    assert _versions(engine) == {"clue_triage": 2, "clue_ledger_copy": 1}
