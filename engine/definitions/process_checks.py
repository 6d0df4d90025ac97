"""Kuaiban's own rules for one BPMN process: lanes are roles, user tasks sit in a lane, forms
exist and are valid, decisions exist, boundary events are attached to an activity; and what
the process needs at deploy (forms, start messages and timers, decisions)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.definitions import case_refs, form_urges, starters, subject_template
from engine.definitions.bpmn_parser import CAMUNDA, camunda_properties
from engine.definitions.code_checks import check_code
from engine.definitions.files import BPMN
from engine.definitions.timer_checks import (
    START_KEY,
    TIMER_PARTS,
    check_timer,
    start_timer,
)
from engine.definitions.xml_checks import ancestor
from engine.errors import Problem
from engine.files.fields import file_fields
from engine.messages import msg
from engine.org.roles import ROLES, is_system_lane, role_for_lane

_ACTIVITIES = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
})
# the elements whose properties the parser keeps, so a notice asked for there is sent
_NOTIFYING = frozenset({"userTask", "scriptTask"})
# the notices a diagram may ask for, by element: "decided" when it is done (after_step),
# "paid" when a user task pays one enterprise of a list (paid)
_NOTICES = {"userTask": ("decided", "paid"), "scriptTask": ("decided",)}
_START_ID_LIMIT = 128  # Timer.element_id: each timer start event has its own row


@dataclass
class ProcessInfo:
    key: str
    name: str
    file: str
    start_form_key: str | None
    case_prefix: str | None
    form_keys: set[str] = field(default_factory=set)
    start_messages: set[str] = field(default_factory=set)
    # (timeDate|timeCycle, expression) of each timer start event, by element id
    start_timers: dict[str, tuple[str, str]] = field(default_factory=dict)
    # the business_key expression of each timer start event naming its case, by element id
    start_keys: dict[str, str] = field(default_factory=dict)
    decision_refs: set[str] = field(default_factory=set)  # decisions its tasks call


def check_process(name: str, process: etree._Element, forms_text: Mapping[str, str],
                  bad_forms: set[str], dmn_ids: set[str | None],
                  out: list[Problem]) -> ProcessInfo | None:
    pid = process.get("id") or ""
    lane_of: dict[str, etree._Element] = {}
    for lane in process.iter(BPMN + "lane"):
        refs = [r.text.strip() for r in lane.findall(BPMN + "flowNodeRef") if r.text]
        lane_name = lane.get("name")
        if refs and role_for_lane(lane_name) is None and not is_system_lane(lane_name):
            known = ", ".join(r.id for r in ROLES)
            out.append(Problem(name, lane.sourceline, lane.get("id"),
                               msg("bpmn.lane_without_role", lane=lane_name, known=known)))
        for ref in refs:
            lane_of[ref] = lane
    _check_system_lane(name, process, lane_of, out)
    limits = (("process id", pid, 128), ("process name", process.get("name"), 255))
    for what, value, limit in limits:
        if value and len(value) > limit:
            out.append(Problem(name, process.sourceline, pid[:40],
                               msg("bpmn.too_long", what=what, limit=limit)))
    info = ProcessInfo(pid, process.get("name") or pid, name, None,
                       camunda_properties(process).get("case_prefix"))

    def need_form(node: etree._Element, key: str | None = None) -> str | None:
        key = node.get(CAMUNDA + "formKey") if key is None else key
        if key is None:
            return None
        if key not in forms_text:
            out.append(Problem(name, node.sourceline, node.get("id"), msg("bpmn.form_not_found",
                                                                          key=key)))
        elif key in bad_forms:
            out.append(Problem(name, node.sourceline, node.get("id"), msg("bpmn.form_invalid",
                                                                          key=key)))
        info.form_keys.add(key)
        return key

    activities = {
        node.get("id") or "": node for node in process.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname in _ACTIVITIES
    }
    user_tasks = {node.get("id") for node in process.iter(BPMN + "userTask")}
    for node in process.iter():
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if tag == "userTask" and len(node.get("name") or "") > 255:
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.task_name_too_long")))
        notice = camunda_properties(node).get("notify") if tag in _NOTIFYING else None
        if notice is not None and notice not in _NOTICES.get(tag, ()):  # engine/notify/emit.py
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.unknown_notice", notice=notice)))
        if tag == "userTask":
            if not _in_a_lane(node, lane_of):
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.task_without_lane")))
            key = need_form(node)
            if key is not None and key in forms_text and key not in bad_forms:
                _check_form_keyword(name, node, key, forms_text[key], starters.fields,
                                    "bpmn.starter_on_task_form", out)
            check_code(name, node, node.get(CAMUNDA + "dueDate"), "eval", "due date", out)
            props = camunda_properties(node)
            check_code(name, node, props.get("unit"), "eval", "unit", out)
            _check_send_back(name, node, user_tasks, out)
            if props.get("assignee") != "applicant":  # else runtime/named_assignees.py
                check_code(name, node, props.get("assignee"), "eval", "assignee", out)
            withdraws = props.get("applicant_withdraws")
            if withdraws is not None and withdraws != "true":  # runtime/withdrawal.py
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.applicant_withdraws", value=withdraws)))
            back_to = props.get("back_to")
            if back_to is not None and back_to not in ("done_by", "pool"):  # runtime/returns.py
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.unknown_back_to", value=back_to)))
            _check_single_open(name, node, out)
            repeats = props.get("repeats")  # engine/queries/rounds.py
            if repeats is not None and repeats.strip().lower() not in ("true", "false"):
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.unknown_repeats", value=repeats)))
        elif "single_open" in camunda_properties(node):  # only a user task is held open
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.single_open_not_user_task")))
        elif "repeats" in camunda_properties(node):  # only a user task has rounds
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.repeats_not_user_task")))
        elif tag == "startEvent" and node.getparent() is process:
            info.start_form_key = need_form(node) or info.start_form_key
            start_key = node.get(CAMUNDA + "formKey")
            if start_key in forms_text and start_key not in bad_forms:
                _check_form_keyword(name, node, start_key, forms_text[start_key],
                                    _urging_fields, "bpmn.urges_on_start_form", out)
            _start_triggers(name, node, info, out)
        elif tag == "conditionExpression":
            check_code(name, ancestor(node, 1), node.text, "eval", "condition", out, node)
        elif tag == "script":
            check_code(name, ancestor(node, 1), node.text, "exec", "script", out, node)
        elif tag in TIMER_PARTS:
            check_timer(name, node, tag, out)
        elif tag == "businessRuleTask":
            ref = node.get(CAMUNDA + "decisionRef")
            if ref:
                info.decision_refs.add(ref)
            if ref not in dmn_ids:
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.decision_not_found", ref=ref)))
        elif tag == "boundaryEvent":
            target = activities.get(node.get("attachedToRef") or "")
            if target is None:
                out.append(Problem(name, node.sourceline, node.get("id"),
                                   msg("bpmn.boundary_target_missing",
                                       target=node.get("attachedToRef"))))
        elif tag in ("loopCardinality", "completionCondition"):
            check_code(name, ancestor(node, 2), node.text, "eval", tag, out, node)
        elif tag == "sequenceFlow":
            _check_flow_ends(name, node, out)
        if tag in _EVENTS and "message_form" in camunda_properties(node):
            _check_message_form(name, node, tag, out, need_form)
    _check_subject(name, process, info.form_keys, forms_text, out)
    _check_reads_case(name, process, info.form_keys, forms_text, out)
    return info if process.get("isExecutable", "true") != "false" else None


def _check_subject(name: str, process: etree._Element, form_keys: set[str],
                   forms_text: Mapping[str, str], out: list[Problem]) -> None:
    """The case subject's template (engine/definitions/subject_template.py) against the
    process's forms: none of its fields may be confidential or a file."""
    text = camunda_properties(process).get(subject_template.PROPERTY)
    if text is None:
        return
    confidential: set[str] = set()
    files: set[str] = set()
    for key in form_keys:
        try:
            schema = json.loads(forms_text[key])
        except (KeyError, ValueError):
            continue  # the form's own check says so
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(properties, dict):
            continue
        confidential |= {f for f, prop in properties.items()
                         if isinstance(prop, dict) and "x-confidential" in prop}
        files |= set(file_fields(schema))
    for problem in subject_template.problems(text, frozenset(confidential), frozenset(files)):
        out.append(Problem(name, process.sourceline, process.get("id"), problem))


def _check_reads_case(name: str, process: etree._Element, form_keys: set[str],
                      forms_text: Mapping[str, str], out: list[Problem]) -> None:
    """A step's ``reads_case`` (engine/definitions/case_readers.py) names a field of the
    process's forms that names a case (``x-case-of``)."""
    schemas: list[Mapping[str, Any] | None] = []
    for key in sorted(form_keys):
        try:
            schemas.append(json.loads(forms_text[key]))
        except (KeyError, ValueError):
            continue  # the form's own check says so
    naming = case_refs.referring(s if isinstance(s, dict) else None for s in schemas)
    for node in process.iter(BPMN + "userTask"):
        value = camunda_properties(node).get(case_refs.READS_CASE)
        if value is not None and value.strip() not in naming:
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.reads_case_unknown", field=value,
                                   known="、".join(sorted(naming)) or "—")))


def _check_single_open(name: str, node: etree._Element, out: list[Problem]) -> None:
    """``single_open`` (engine/runtime/single_open.py) is "true" or "false", and not on a
    multi-instance task, whose items are open together by design."""
    value = camunda_properties(node).get("single_open")
    if value is None:
        return
    if value.strip().lower() not in ("true", "false"):
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.unknown_single_open", value=value)))
    elif node.find(BPMN + "multiInstanceLoopCharacteristics") is not None \
            or node.find(BPMN + "standardLoopCharacteristics") is not None:
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.single_open_multi_instance")))


def _check_flow_ends(name: str, flow: etree._Element, out: list[Problem]) -> None:
    """A sequence flow joins two elements of the process or subprocess it is drawn in (a
    dangling end is named here, not left to the workflow library's puzzling words)."""
    container = flow.getparent()
    ids = {child.get("id") for child in container} if container is not None else set()
    for end, key in (("sourceRef", "bpmn.flow_source_missing"),
                     ("targetRef", "bpmn.flow_target_missing")):
        ref = flow.get(end)
        if ref not in ids or ref == flow.get("id"):
            out.append(Problem(name, flow.sourceline, flow.get("id"), msg(key, ref=ref or "")))


_EVENTS = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent",
                     "intermediateThrowEvent", "endEvent"})
_CATCHING = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})


def _check_form_keyword(name: str, node: etree._Element, key: str, text: str,
                        fields: Callable[[dict[str, Any]], Iterable[str]], message: str,
                        out: list[Problem]) -> None:
    """A form keyword used where it means nothing is told, not trusted: ``x-starter`` (what a
    start gives a field) on a task's form, ``x-urges`` (urging the case's open tasks) on a
    start form, which has no case yet."""
    try:
        schema = json.loads(text)
    except ValueError:
        return  # the form's own check says so
    for field_name in fields(schema if isinstance(schema, dict) else {}):
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg(message, key=key, field=field_name)))


def _urging_fields(schema: dict[str, Any]) -> list[str]:
    return [urging.field for urging in form_urges.urgings(schema)]


def _check_send_back(name: str, node: etree._Element, user_tasks: set[str | None],
                     out: list[Problem]) -> None:
    """``sendBack`` (engine/runtime/moves.py): true, false, or the user tasks of this process
    the task may be sent back to."""
    value = (camunda_properties(node).get("sendBack") or "").strip()
    if value.lower() in ("", "true", "false"):
        return
    targets = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [t for t in targets if t not in user_tasks or t == node.get("id")]
    if unknown:
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.send_back_unknown", unknown=", ".join(unknown))))


def message_forms_of(process: etree._Element) -> dict[str, str]:
    """The declared form of each message-catching event, by element id."""
    return {node.get("id") or "": key for node in process.iter()
            if isinstance(node.tag, str) and etree.QName(node).localname in _CATCHING
            and node.find(BPMN + "messageEventDefinition") is not None
            and (key := camunda_properties(node).get("message_form"))}


def _check_message_form(name: str, node: etree._Element, tag: str, out: list[Problem],
                        need_form: Callable[[etree._Element, str | None], str | None]) -> None:
    """``message_form`` names the form of the message an event catches: it must exist, and
    the event must catch a message."""
    if tag not in _CATCHING or node.find(BPMN + "messageEventDefinition") is None:
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.message_form_without_message")))
        return
    key = camunda_properties(node)["message_form"].strip()
    if not key:
        out.append(Problem(name, node.sourceline, node.get("id"), msg("bpmn.message_form_empty")))
        return
    need_form(node, key)


def _check_system_lane(name: str, process: etree._Element,
                       lane_of: Mapping[str, etree._Element], out: list[Problem]) -> None:
    """The engine's lane holds no step a person takes: a user task there (or in a subprocess
    there) would have no role to work it, and the process's start event there would let anyone
    start a case (a subprocess's start event is the engine entering it)."""
    for node in process.iter(BPMN + "userTask", BPMN + "startEvent"):
        lane = _lane_of(node, lane_of)
        if lane is None or not is_system_lane(lane.get("name")):
            continue
        if node.tag == BPMN + "userTask" or node.getparent() is process:
            out.append(Problem(name, node.sourceline, node.get("id"),
                               msg("bpmn.person_step_in_system_lane", lane=lane.get("name"))))


def _in_a_lane(node: etree._Element, lane_of: Mapping[str, etree._Element]) -> bool:
    return _lane_of(node, lane_of) is not None


def _lane_of(node: etree._Element, lane_of: Mapping[str, etree._Element]
             ) -> etree._Element | None:
    """Its own lane, or the lane of the subprocess around it (the task then takes its lane)."""
    current: etree._Element | None = node
    while current is not None:
        if current.get("id") in lane_of:
            return lane_of[current.get("id") or ""]
        current = current.getparent()
        if current is None or etree.QName(current).localname not in ("subProcess",
                                                                     "transaction"):
            return None
    return None


def _start_triggers(name: str, node: etree._Element, info: ProcessInfo,
                    out: list[Problem]) -> None:
    messages = {m.get("id"): m.get("name") for m in node.getroottree().iter(BPMN + "message")}
    for definition in node.findall(BPMN + "messageEventDefinition"):
        message = messages.get(definition.get("messageRef"))
        if message:
            info.start_messages.add(message)
    for definition in node.findall(BPMN + "timerEventDefinition"):
        for part in definition:
            kind = etree.QName(part).localname
            if kind == "timeDuration":
                out.append(Problem(name, part.sourceline, node.get("id"),
                                   msg("bpmn.start_timer_duration")))
    timer = start_timer(node)
    if timer is not None:
        element = node.get("id") or ""
        if len(element) > _START_ID_LIMIT:
            out.append(Problem(name, node.sourceline, element[:40],
                               msg("bpmn.timer_start_id_too_long", limit=_START_ID_LIMIT)))
        info.start_timers[element] = timer
    key = camunda_properties(node).get(START_KEY)
    if key is None:
        return
    if timer is None:
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.start_key_without_timer")))
    elif info.case_prefix:
        out.append(Problem(name, node.sourceline, node.get("id"),
                           msg("bpmn.start_key_numbered")))
    check_code(name, node, key, "eval", "business key", out)
    if timer is not None and key.strip():
        info.start_keys[node.get("id") or ""] = key.strip()
