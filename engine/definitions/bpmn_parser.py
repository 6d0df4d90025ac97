"""SpiffWorkflow's parser, configured for Kuaiban diagrams.

Diagrams use the Camunda extension attributes that Camunda Modeler and bpmn-js edit natively:
``camunda:formKey`` and ``camunda:dueDate`` on user tasks, ``camunda:properties`` for the
rest (``unit``: an expression naming the task's unit). Message events use BPMN's own
semantics (the payload is merged into the receiving task's data), not Camunda's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    StartEvent,
)
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    ScriptTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs.user_task import UserTask

CAMUNDA = "{" + CAMUNDA_MODEL_NS + "}"


def camunda_properties(node: etree._Element) -> dict[str, str]:
    """The ``camunda:properties`` of an element's own extensionElements."""
    out: dict[str, str] = {}
    for ext in node.findall("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements"):
        for prop in ext.iter(CAMUNDA + "property"):
            name = prop.get("name")
            if name:
                out[name] = prop.get("value") or ""
    return out


def document_properties(root: etree._Element) -> list[tuple[etree._Element, list[str]]]:
    """(element, template keys) of every ``document`` property (comma separated keys) in a
    BPMN file; found from the properties up, so a large diagram costs one pass in lxml."""
    found = []
    for prop in root.iter(CAMUNDA + "property"):
        owner = prop.getparent()
        owner = owner.getparent() if owner is not None else None  # extensionElements
        owner = owner.getparent() if owner is not None else None  # the element
        if prop.get("name") == "document" and owner is not None:
            keys = [k.strip() for k in (prop.get("value") or "").split(",") if k.strip()]
            found.append((owner, keys))
    return found


class _UserTaskParser(UserTaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        target = node if node is not None else self.node
        extensions = camunda_properties(target)
        for attribute in ("formKey", "dueDate"):
            value = target.get(CAMUNDA + attribute)
            if value:
                extensions[attribute] = value
        return extensions


class _ScriptTaskParser(ScriptTaskParser):
    """A script task keeps its ``camunda:properties`` too: an outcome reached by a script
    (a refusal) may ask for the applicant's notice (engine/notify/emit.py after_step)."""

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        return camunda_properties(node if node is not None else self.node)


class _ProcessParser(ProcessParser):
    """A task's own lane wins over the lane of the subprocess around it (SpiffWorkflow gives
    every task inside a subprocess the subprocess's lane)."""

    def parse_node(self, node: Any) -> Any:
        if node.get("id") in self.spec.task_specs:
            return self.spec.task_specs[node.get("id")]
        node_parser, spec_class = self.parser._get_parser_class(node.tag)
        if not node_parser or not spec_class:
            raise ValidationException("There is no support implemented for this task type.",
                                      node=node, file_name=self.filename)
        lane = self.get_lane_name(node.get("id")) or self.lane
        return node_parser(self, spec_class, node, self.nsmap, lane=lane).parse_node()


class KuaibanParser(CamundaParser):
    PROCESS_PARSER_CLASS = _ProcessParser
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (_UserTaskParser, UserTask),
        full_tag("scriptTask"): (_ScriptTaskParser,
                                 CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("scriptTask")][1]),
        full_tag("startEvent"): (StartEventParser, StartEvent),
        full_tag("endEvent"): (EndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (IntermediateThrowEventParser, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
    }
