"""Expressions and scripts in definitions (conditions, due dates, scripts, DMN cells) checked
against the restricted language, each problem on the line it concerns."""

from __future__ import annotations

import ast
import re

from lxml import etree

from engine.definitions.xml_checks import nearest_id
from engine.errors import Problem
from engine.messages import msg
from engine.scripting import expressions

LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
_QUESTION = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")  # as SpiffWorkflow's DMNEngine


def check_code(name: str, node: etree._Element, source: str | None, mode: str, what: str,
               out: list[Problem], text_of: etree._Element | None = None) -> None:
    """Check code; problems name ``node``. When the code is the text of ``text_of`` its lines
    are counted from that element's line, so each problem points at the offending line."""
    if source is None or not source.strip():
        return
    base = (text_of if text_of is not None else node).sourceline
    for message in expressions.check(source, mode):  # type: ignore[arg-type]
        line = base
        match = LINE.fullmatch(message)
        if match:
            message = match.group(2)
            if text_of is not None and base is not None:
                line = base + int(match.group(1)) - 1
        out.append(Problem(name, line, nearest_id(node), msg("code.refused", what=what,
                                                             message=message)))


def check_dmn(name: str, tree: etree._ElementTree, out: list[Problem]) -> None:
    for node in tree.getroot().iter("{*}inputExpression", "{*}outputEntry", "{*}inputEntry"):
        text_node = node.find("{*}text")
        if text_node is None:
            continue
        text = text_node.text
        if etree.QName(node).localname == "inputEntry":
            text = _input_entry_source(text)
        check_code(name, node, text, "eval", "decision expression", out, text_node)


def _input_entry_source(text: str | None) -> str | None:
    """An input cell as the expression SpiffWorkflow builds from it: ``-`` matches anything,
    ``?`` stands for the input, a cell that is no expression by itself (``> 5``,
    ``in ["a"]``) is glued to the input."""
    if text is None or text.strip() in ("", "-"):
        return None
    text = _QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" in text:
        return text
    try:
        ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return f"dmninputexpr {text.strip()}"
    except (RecursionError, MemoryError, ValueError):  # the check reports these itself
        pass
    return text
