"""Timer definitions: each is an expression giving an ISO 8601 date, duration or cycle; and
the timer start events of a process."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.definitions.bpmn_parser import camunda_properties
from engine.definitions.code_checks import LINE
from engine.definitions.files import BPMN
from engine.definitions.xml_checks import ancestor, nearest_id
from engine.errors import Problem
from engine.messages import msg
from engine.scripting import expressions

TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")

# what an unquoted ISO 8601 literal looks like: P7D, PT2H, R/P7D, R3/PT1H, 2026-10-08T09:00...
_ISO_LITERAL = re.compile(
    r"(R\d*/)?P(?=\D*\d)[\dTYMWDHS.,/:+-]*|\d{4}-\d{2}-\d{2}([T ][\d:.,+\-Z]*)?", re.IGNORECASE
)


def start_timers_of(process: etree._Element) -> dict[str, tuple[str, str]]:
    """(timeDate|timeCycle, expression) of each timer start event of ``process``, by element
    id, in diagram order. Each is scheduled on its own."""
    out = {}
    for start in process.findall(BPMN + "startEvent"):
        timer = start_timer(start)
        if timer is not None:
            out[start.get("id") or ""] = timer
    return out


START_KEY = "business_key"  # the camunda property naming the case a timer start starts


def start_keys_of(process: etree._Element) -> dict[str, str]:
    """The ``business_key`` expression of each timer start event that names its case, by
    element id (engine/runtime/worker.py): with one, an occurrence whose case exists already
    is skipped, so a case started by hand is not started again."""
    return {start.get("id") or "": key for start in process.findall(BPMN + "startEvent")
            if start_timer(start) is not None
            and (key := camunda_properties(start).get(START_KEY, "").strip())}


def start_timer(start_event: etree._Element) -> tuple[str, str] | None:
    for definition in start_event.findall(BPMN + "timerEventDefinition"):
        for part in definition:
            kind = etree.QName(part).localname
            if kind in ("timeDate", "timeCycle"):
                return kind, (part.text or "").strip()
    return None


def check_timer(name: str, node: etree._Element, part: str, out: list[Problem]) -> None:
    event = ancestor(node, 2)
    element = nearest_id(event)
    source = (node.text or "").strip()
    problems: list[str]
    if not source:
        problems = ["timer has no expression"]
    elif _ISO_LITERAL.fullmatch(source):
        problems = [f"put the ISO 8601 value in quotes: '{source}' "
                    "(timer definitions are expressions)"]
    else:
        problems = [LINE.sub(r"\2", m) for m in expressions.check(source, "eval")]
        if not problems:
            problems = _timer_value_problems(source, part)
    for message in problems:
        out.append(Problem(name, node.sourceline, element, msg("bpmn.timer", message=message)))


def _timer_value_problems(source: str, part: str) -> list[str]:
    try:
        value = expressions.evaluate(source, {}, _probe_functions())
    except Exception:  # depends on instance data; checked at run time
        return []
    if not isinstance(value, str):
        return [f"a {part} expression must give an ISO 8601 string, not {type(value).__name__}"]
    return _iso_problems(value, part)


def _iso_problems(value: str, part: str) -> list[str]:
    try:
        if part == "timeDate":
            TimerEventDefinition.get_datetime(value)
        elif part == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # SpiffWorkflow raises bare Exception here
        return [f'"{value}" is not a valid ISO 8601 {part}']
    return []


def _probe_functions() -> dict[str, Any]:
    from engine.time.calendar import WorkCalendar, deadline_functions
    from engine.time.clock import SystemClock

    return deadline_functions(WorkCalendar(), SystemClock().now)
