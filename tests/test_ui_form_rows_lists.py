"""A table's column that is itself a list: a list of texts (or of choices) is typed into its
cell as 甲、乙, separated by 、 or a semicolon or one a line, and shown that way; a deeper
list stays JSON, with a hint under the cell showing the shape it takes. An error in one item
shows in its cell, naming the row and column."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from engine import InvalidData
from engine.definitions.forms import validate
from web.ui import form_posts, forms

pytest_plugins = ["tests.test_ui_support"]

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"projects": {
    "type": "array", "title": "项目", "items": {"type": "object", "required": ["name"],
                                                "properties": {
        "name": {"type": "string", "title": "项目名称"},
        "towns": {"type": "array", "title": "涉及乡镇", "items": {"type": "string"}},
        "kinds": {"type": "array", "title": "类别", "items": {
            "type": "string", "oneOf": [{"const": "tech", "title": "技术改造"},
                                        {"const": "green", "title": "绿色制造"}]}},
        "phases": {"type": "array", "title": "分期", "items": {
            "type": "object", "properties": {"year": {"type": "integer"},
                                             "amount": {"type": "number"}}}}}}}}}


def test_list_properties_are_columns_of_their_own_kind() -> None:
    [projects] = forms.fields_of(SCHEMA)
    assert projects.kind == "rows"
    assert [(c.kind, c.example) for c in projects.columns] == [
        ("text", ""), ("lines", ""), ("checkboxes", ""),
        ("json", '[{"year": 0, "amount": 0}]')]


def test_a_list_cell_takes_items_separated_by_commas_semicolons_or_lines() -> None:
    [projects] = forms.fields_of(SCHEMA)
    posted = MultiDict({
        "projects[0][name]": "窑炉改造",
        "projects[0][towns]": "鹅湖镇、经公桥镇; 湘湖镇\r\n蛟潭镇；",
        "projects[0][kinds]": "技术改造、green",
        "projects[0][phases]": '[{"year": 2026, "amount": 10.5}]',
        "projects[paste]": "光伏\t兴田乡\t绿色制造\t"})
    data, _ = form_posts.coerce([projects], posted)
    assert data == {"projects": [
        {"name": "窑炉改造", "towns": ["鹅湖镇", "经公桥镇", "湘湖镇", "蛟潭镇"],
         "kinds": ["tech", "green"], "phases": [{"year": 2026, "amount": 10.5}]},
        {"name": "光伏", "towns": ["兴田乡"], "kinds": ["green"]}]}
    validate(SCHEMA, data)
    shown = forms.display_values([projects], data)["projects"]
    assert shown == [
        {"name": "窑炉改造", "towns": "鹅湖镇、经公桥镇、湘湖镇、蛟潭镇",
         "kinds": "技术改造、绿色制造", "phases": '[{"year": 2026, "amount": 10.5}]'},
        {"name": "光伏", "towns": "兴田乡", "kinds": "绿色制造", "phases": ""}]
    # an item holding a separator is shown one a line, so that it reads back the same
    tricky = forms.display_values([projects], {"projects": [{"towns": ["甲、乙", "丙"]}]})
    assert tricky["projects"] == [{"name": "", "towns": "甲、乙\n丙", "kinds": "", "phases": ""}]


def rendered(app: Flask, values: dict[str, Any], errors: dict[str, str]) -> str:
    with app.test_request_context("/"):
        return render_template_string(
            '{% from "macros/form.html" import field_input with context %}'
            "{{ field_input(f, values, errors) }}",
            f=forms.fields_of(SCHEMA)[0], values=values, errors=errors)


def test_list_cells_say_what_they_take_and_show_item_errors_in_their_cell(app: Flask) -> None:
    data = {"projects": [{"name": "窑炉改造", "towns": ["鹅湖镇", 7],
                          "phases": [{"year": "明年"}]}]}
    with pytest.raises(InvalidData) as caught:
        validate(SCHEMA, data)
    errors = caught.value.field_errors
    assert set(errors) == {"projects.0.towns.1", "projects.0.phases.0.year"}
    [projects] = forms.fields_of(SCHEMA)
    page = rendered(app, forms.display_values([projects], data), errors)
    cell = page.split('name="projects[0][towns]"')[1].split("</td>")[0]
    assert "鹅湖镇、7</textarea>" in cell
    assert "多项之间用“、”“；”或换行分隔。" in cell
    assert "第 1 行“涉及乡镇”：应为文本" in cell
    cell = page.split('name="projects[0][phases]"')[1].split("</td>")[0]
    assert re.search(r'填 JSON，格式如：\[\{&#34;year&#34;: 0, &#34;amount&#34;: 0\}\]', cell)
    assert "第 1 行“分期”：应为整数" in cell
    guide = page.split('class="column-guide"')[1]
    assert "从以下选项中选一项或多项：技术改造、绿色制造。" in guide
