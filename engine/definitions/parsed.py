"""A parsed, runnable version of a process: SpiffWorkflow's specs from the version's exact
files, with what the engine reads off the diagram beside them (case prefix, timer starts,
documents issued, message forms, the case subject, who runs it). Parsing never touches the
database, so an offline bundle parses the same way as a deployed version
(engine/audit/bundle.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)

from engine.definitions import subject_template, xmlsafe
from engine.definitions.bpmn_parser import KuaibanParser, camunda_properties, document_properties
from engine.definitions.files import BPMN, form_key_of, kind_of
from engine.definitions.process_checks import message_forms_of
from engine.definitions.timer_checks import start_keys_of, start_timers_of
from engine.org.roles import role_for_lane

OWNER_UNIT = "owner_unit"  # the process property naming the unit that runs the procedure


@dataclass
class LoadedVersion:
    """A parsed, runnable version."""

    id: int
    key: str
    version: int
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, dict[str, Any]]
    case_prefix: str | None
    start_form_key: str | None
    # (timeDate|timeCycle, expression) of each timer start event, by element id, in diagram
    # order: the engine schedules each on its own (engine/runtime/worker.py)
    start_timers: dict[str, tuple[str, str]]
    files: dict[str, str]  # name -> exact text, for bundles and the diagram viewer
    content_hash: str = ""  # as deployed (events pin it); empty when parsed from a bundle
    # the document templates each element issues when it completes (a "document" property:
    # engine/runtime/case_files.py), by element id
    documents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the form a message from outside must fit, by the element id of the event catching it
    # (the Camunda property message_form; engine/runtime/correlation.py)
    message_forms: dict[str, str] = field(default_factory=dict)
    # the business key expression of each timer start event that names its case (the Camunda
    # property business_key), by element id: an occurrence whose case exists is skipped
    start_keys: dict[str, str] = field(default_factory=dict)
    # the case subject's template, parsed (engine/definitions/subject_template.py); None when
    # the process has none
    subject: tuple[str, ...] | None = None
    # a discipline procedure: a lane's role works the tasks of the case's jurisdiction (受理,
    # 审批, 案管), so that jurisdiction is a 纪委监委 (engine/org/scope.py)
    by_jurisdiction: bool = False
    # the unit that runs the procedure (the Camunda property owner_unit): the jurisdiction of
    # a case no unit of its starter gives one (a timer's, or a user's without a unit)
    owner_unit: str | None = None

    def form(self, key: str | None) -> dict[str, Any] | None:
        return self.forms.get(key) if key else None

    def task_specs(self) -> Iterator[Any]:
        """Every element of the process and of its sub-processes."""
        for tree in (self.spec, *self.subprocess_specs.values()):
            yield from tree.task_specs.values()


CamundaMultiInstance = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)


def _link_loop_children(spec: Any) -> None:
    """SpiffWorkflow finishes setting up multi-instance and loop tasks only when one first
    runs (it connects the children's completion event, and Camunda-style tasks bind their
    collection as input too). Do both up front, so an instance loaded in another process or
    after a restart merges its children the same way as the process that started them."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, CamundaMultiInstance) and task_spec.cardinality is None \
                and task_spec.data_output is not None:
            task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
            if task_spec.output_item is not None:
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def parse_version(version_id: int, key: str, version: int, name: str,
                  start_form_key: str | None, files: dict[str, str]) -> LoadedVersion:
    """A runnable version from its exact files (also used for offline bundles)."""
    parser = KuaibanParser()
    case_prefix: str | None = None
    start_timers: dict[str, tuple[str, str]] = {}
    start_keys: dict[str, str] = {}
    documents: dict[str, tuple[str, ...]] = {}
    message_forms: dict[str, str] = {}
    subject: tuple[str, ...] | None = None
    by_jurisdiction, owner_unit = False, None
    for file_name, text in files.items():
        if kind_of(file_name) == "dmn":
            root = xmlsafe.parse(text.encode("utf-8"), file_name).getroot()
            parser.add_dmn_xml(root, filename=file_name)
    for file_name, text in files.items():
        if kind_of(file_name) == "bpmn":
            root = xmlsafe.parse(text.encode("utf-8"), file_name).getroot()
            parser.add_bpmn_xml(root, filename=file_name)
            documents.update(documents_of(root))
            for process in root.iter(BPMN + "process"):
                if process.get("id") == key:
                    case_prefix = camunda_properties(process).get("case_prefix")
                    start_timers = start_timers_of(process)
                    start_keys = start_keys_of(process)
                    message_forms = message_forms_of(process)
                    subject = _subject_of(process)
                    by_jurisdiction = discipline(process)
                    owner_unit = camunda_properties(process).get(OWNER_UNIT) or None
    forms = {form_key_of(n): json.loads(t) for n, t in files.items() if kind_of(n) == "form"}
    spec, subprocess_specs = parser.get_spec(key), parser.get_subprocess_specs(key)
    for each in (spec, *subprocess_specs.values()):
        _link_loop_children(each)
    return LoadedVersion(
        id=version_id, key=key, version=version, name=name,
        spec=spec, subprocess_specs=subprocess_specs,
        forms=forms, case_prefix=case_prefix, start_form_key=start_form_key,
        start_timers=start_timers, files=files, documents=documents,
        message_forms=message_forms, start_keys=start_keys, subject=subject,
        by_jurisdiction=by_jurisdiction, owner_unit=owner_unit,
    )


def discipline(process: Any) -> bool:
    """Does a lane of ``process`` stand for a role that works its case's jurisdiction?"""
    roles = (role_for_lane(lane.get("name")) for lane in process.iter(BPMN + "lane"))
    return any(r is not None and r.by_jurisdiction for r in roles)


def _subject_of(process: Any) -> tuple[str, ...] | None:
    text = camunda_properties(process).get(subject_template.PROPERTY)
    try:
        return subject_template.parse(text) if text else None
    except ValueError:  # validation refuses it; a bundle of unknown origin gets none
        return None


def documents_of(root: Any) -> dict[str, tuple[str, ...]]:
    """Element id -> the document templates its ``document`` property names."""
    return {str(element.get("id")): tuple(keys)
            for element, keys in document_properties(root) if element.get("id")}
