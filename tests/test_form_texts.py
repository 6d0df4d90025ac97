"""The shipped forms, and the texts the shipped diagrams' scripts write into cases, speak as
the city's documents do: Chinese text takes full-width punctuation (，；：（）？！), never the
half-width ASCII marks."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

FORMS = Path(__file__).resolve().parent.parent / "forms"
PROCESSES = FORMS.parent / "processes"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# a half-width mark beside a Chinese character, or a bracket in Chinese text
HALF_WIDTH = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])[,;:?!]"
                        r"|[,;:?!](?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])|[()]")


def texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every title and description of a form, with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description") and isinstance(value, str):
                yield f"{path}/{key}", value
            else:
                yield from texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from texts(item, f"{path}/{i}")


@pytest.mark.parametrize("form", sorted(FORMS.glob("*.json")), ids=lambda p: p.stem)
def test_chinese_texts_take_full_width_punctuation(form: Path) -> None:
    found = [f"{where}: {text}" for where, text in texts(json.loads(form.read_text("utf-8")))
             if CJK.search(text) and HALF_WIDTH.search(text)]
    assert found == []


def test_the_rule_finds_what_it_should() -> None:
    assert HALF_WIDTH.search("逐件编号登记,单独建立") and HALF_WIDTH.search("提醒(提示)函")
    assert not HALF_WIDTH.search("金额 1,000.50 元；网址 https://example.cn")


def script_strings(diagram: Path) -> Iterator[tuple[str, str]]:
    """Every string a shipped diagram's scripts write into a case (a reply to a citizen, a
    note), with the script task it sits in."""
    root = etree.parse(str(diagram))
    for script in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}script"):
        where = script.getparent().get("id")
        for node in ast.walk(ast.parse(script.text or "")):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield where, node.value


@pytest.mark.parametrize("diagram", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.stem)
def test_scripts_write_chinese_with_full_width_punctuation(diagram: Path) -> None:
    found = [f"{where}: {text}" for where, text in script_strings(diagram)
             if CJK.search(text) and HALF_WIDTH.search(text)]
    assert found == []


def field_titles(diagram: Path) -> dict[str, set[str]]:
    """Field names by title over every form a shipped diagram's steps use."""
    keys = set(re.findall(r'formKey="([^"]+)"', diagram.read_text("utf-8")))
    found: dict[str, set[str]] = {}
    for key in keys:
        path = FORMS / f"{key}.json"
        props = json.loads(path.read_text("utf-8")).get("properties", {}) if path.is_file() else {}
        for name, prop in props.items():
            if isinstance(prop, dict) and isinstance(prop.get("title"), str):
                found.setdefault(prop["title"], set()).add(name)
    return found


@pytest.mark.parametrize("diagram", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.stem)
def test_no_two_fields_of_a_procedure_share_a_title(diagram: Path) -> None:
    """The case panel lists the case's data by field title: two fields under one title (the
    two concurrences' 意见 of 提级核查) read as the same thing said twice."""
    shared = {title: sorted(names) for title, names in field_titles(diagram).items()
              if len(names) > 1}
    assert shared == {}
