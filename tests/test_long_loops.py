"""Weekly follow-ups for twenty years: a loop of 1,000 iterations keeps working and stays small."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.util.task import TaskState

from engine.api import Engine
from engine.definitions.bpmn_parser import KuaibanParser
from engine.scripting.expressions import SafeEnvironment
from engine.storage.schema import ProcessInstance
from tests.conftest import DIAGRAMS, diagram_files


def test_raw_spiffworkflow_loop_past_depth_1000_is_not_falsely_completed() -> None:
    """Without pruning the tree is >1,000 deep; the iterator limit must not end the workflow."""
    parser = KuaibanParser()
    parser.add_bpmn_file(str(DIAGRAMS / "loop.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("loop"))
    workflow.script_engine = PythonScriptEngine(environment=SafeEnvironment())
    workflow.task_tree.set_data(rounds=0, closed=False)
    workflow.do_engine_steps()
    for _ in range(350):
        (task,) = [t for t in workflow.tasks.values()
                   if t.state == TaskState.READY and t.task_spec.manual]
        task.run()
        workflow.do_engine_steps()
    depth, node = 0, ready_follow(workflow)
    while node.parent is not None:
        depth, node = depth + 1, node.parent
    assert depth > 1000
    assert not workflow.is_completed()
    ready = workflow.get_tasks(state=TaskState.READY)
    assert [t.task_spec.bpmn_id for t in ready] == ["follow"]
    assert ready[0].data["rounds"] == 350


def ready_follow(workflow: BpmnWorkflow) -> Any:
    (task,) = [t for t in workflow.tasks.values() if t.state == TaskState.READY]
    return task


def test_a_thousand_iterations_through_the_engine(people: Engine) -> None:
    people.deploy(diagram_files("loop.bpmn"))
    view = people.start("loop", {"rounds": 0, "closed": False}, "sun")
    sizes = []
    for i in range(1000):
        (task,) = view.tasks  # the case as the last command left it
        view = people.complete(task.id, {}, "sun")
        if i in (9, 999):
            with people.transaction() as session:
                row = session.get(ProcessInstance, view.id)
                assert row is not None
                sizes.append(len(row.state))
                assert len(json.loads(row.state)["workflow"]["tasks"]) < 20
    after = people.instance(view.id)
    assert after.status == "running"
    assert after.data["rounds"] == 1000
    assert [t.name for t in after.tasks] == ["follow"]
    assert sizes[1] < sizes[0] * 1.2  # stored state does not grow with the loop
    (task,) = after.tasks
    done = people.complete(task.id, {"closed": True}, "sun")
    assert done.status == "completed" and done.data["rounds"] == 1001
    checked, problems = people.verify()
    assert (checked, problems) == (1, [])
