"""What of a BPMN file belongs to one process: a file may hold several (a pool each), and a
change to one of them is no new version of the others.

A process's own part of a file is the file without the other processes, their pools
(participants), the message flows between them alone, and the diagram shapes and edges of
all of those. What stays is compared canonically (C14N, whitespace between elements
ignored): the process's semantics and its own shapes, with whatever else the file declares
(messages, signals, errors) kept to be safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping

from lxml import etree

from engine.definitions import xmlsafe
from engine.definitions.files import BPMN
from engine.errors import EngineError

BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


def own_digest(text: str, own: Collection[str]) -> str:
    """A hash of the part of ``text`` that belongs to the processes ``own`` (the process
    and those its call activities run); the whole text's when the file holds none of them
    or cannot be read."""
    try:
        root = xmlsafe.parse(text.encode("utf-8"), "-").getroot()
    except EngineError:
        return _sha256(text.encode("utf-8"))
    processes = root.findall(BPMN + "process")
    others = [p for p in processes if p.get("id") not in own]
    if len(others) == len(processes):
        return _sha256(text.encode("utf-8"))
    gone = _ids_within(others)
    for participant in root.iter(BPMN + "participant"):
        if participant.get("processRef") in gone:
            gone.add(participant.get("id") or "")
    for flow in root.iter(BPMN + "messageFlow"):
        if flow.get("sourceRef") in gone and flow.get("targetRef") in gone:
            gone.add(flow.get("id") or "")
    doomed = [*others]
    doomed += [n for n in root.iter(BPMN + "participant", BPMN + "messageFlow")
               if n.get("id") in gone]
    doomed += [n for n in root.iter(BPMNDI + "BPMNShape", BPMNDI + "BPMNEdge")
               if n.get("bpmnElement") in gone]
    doomed += [d for d in root.iter(BPMNDI + "BPMNDiagram")
               if any(p.get("bpmnElement") in gone for p in d.iter(BPMNDI + "BPMNPlane"))]
    for node in doomed:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return _sha256(etree.tostring(root, method="c14n"))


def _ids_within(nodes: Iterable[etree._Element]) -> set[str]:
    return {i for node in nodes for n in node.iter() if isinstance(n.tag, str)
            for i in [n.get("id")] if i}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def same_own_part(old: Mapping[str, str], new: Iterable[tuple[str, str, str]],
                  own: Collection[str]) -> bool:
    """Whether files ``new`` ((name, kind, text), names without folders) are those of
    ``old`` (name -> text) as far as the processes ``own`` go: the same files, the same
    forms and DMN files, the same own part of each BPMN file."""
    new = list(new)
    if {n for n, _, _ in new} != set(old):
        return False
    for name, kind, text in new:
        before = old[name]
        if before == text:
            continue
        if kind != "bpmn" or own_digest(before, own) != own_digest(text, own):
            return False
    return True
