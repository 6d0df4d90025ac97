"""Server-side form rendering and coercion, working-day countdowns, version differences,
demo users and the translation catalogue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from werkzeug.datastructures import MultiDict

from engine import CatalogueItem
from engine.definitions.parsed import LoadedVersion
from engine.definitions.version_diff import diff_loaded
from engine.time.calendar import WorkCalendar
from tests.conftest import DIAGRAMS
from tests.test_ui_support import frozen, make_app, make_engine
from web.demo import DEMO_PASSWORD, create_demo_users
from web.ui import fmt, form_posts, forms

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = {
    "title": "测试",
    "type": "object",
    "required": ["name", "count"],
    "properties": {
        "name": {"type": "string", "title": "名称"},
        "note": {"type": "string", "title": "说明", "x-widget": "textarea"},
        "count": {"type": "integer", "title": "件数"},
        "amount": {"type": "number", "title": "金额", "x-unit": "元"},
        "day": {"type": "string", "format": "date", "title": "日期"},
        "at": {"type": "string", "format": "date-time", "title": "时间"},
        "kind": {"type": "string", "title": "类型",
                 "oneOf": [{"const": "a", "title": "甲"}, {"const": "b", "title": "乙"}]},
        "level": {"type": "integer", "enum": [1, 2, 3], "title": "等级"},
        "ok": {"type": "boolean", "title": "同意"},
        "flag": {"type": "boolean", "title": "标记", "x-widget": "checkbox"},
        "items": {"type": "array", "items": {"type": "string"}, "title": "材料"},
        "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "title": "标签"},
        "extra": {"type": "object", "title": "其他"},
    },
}


def test_fields_of_schema() -> None:
    fields = {f.name: f for f in forms.fields_of(SCHEMA)}
    kinds = {name: f.kind for name, f in fields.items()}
    assert kinds == {"name": "text", "note": "textarea", "count": "integer", "amount": "number",
                     "day": "date", "at": "datetime", "kind": "select", "level": "select",
                     "ok": "boolean", "flag": "checkbox", "items": "lines",
                     "tags": "checkboxes", "extra": "json"}
    assert fields["name"].required and not fields["note"].required
    assert [(c.key, c.label) for c in fields["kind"].choices] == [("a", "甲"), ("b", "乙")]
    assert fields["amount"].unit == "元" and fields["count"].title == "件数"
    assert forms.fields_of(None) == []


def test_a_catalogue_field_is_a_choice_of_its_rows() -> None:
    schema = {"type": "object", "properties": {"item": {
        "type": "string", "title": "中介服务事项", "x-catalogue": "intermediary_catalogue"}}}
    assert forms.fields_of(schema)[0].kind == "text"  # no catalogue deployed: as given
    offered = {"item": [CatalogueItem("ZJ-001", "建设工程施工图设计文件审查", "市住建局"),
                        CatalogueItem("ZJ-002", "建设工程质量检测", "")]}
    [field] = forms.fields_of(schema, catalogues=offered)
    assert (field.kind, field.required) == ("select", False)
    assert [(c.key, c.label) for c in field.choices] == [
        ("ZJ-001", "ZJ-001 建设工程施工图设计文件审查（市住建局）"),
        ("ZJ-002", "ZJ-002 建设工程质量检测")]
    assert form_posts.coerce([field], MultiDict({"item": "ZJ-002"}))[0] == {"item": "ZJ-002"}
    assert form_posts.coerce([field], MultiDict({"item": ""}))[0] == {}  # no choice


def test_coerce_posted_strings_to_schema_types() -> None:
    fields = forms.fields_of(SCHEMA)
    posted = MultiDict([("name", " 张三 "), ("note", "第一行\n第二行\n"), ("count", "3"),
                        ("amount", "1,234.5"), ("day", "2026-10-08"), ("at", "2026-10-08T09:30"),
                        ("kind", "b"), ("level", "2"), ("ok", "false"), ("flag", "true"),
                        ("items", "营业执照\n\n  申请表 "), ("tags", "x"), ("tags", "y"),
                        ("extra", '{"k": 1}')])
    data, typed = form_posts.coerce(fields, posted)
    assert data == {"name": "张三", "note": "第一行\n第二行", "count": 3, "amount": 1234.5,
                    "day": "2026-10-08", "at": "2026-10-08T09:30:00+08:00", "kind": "b",
                    "level": 2, "ok": False, "flag": True, "items": ["营业执照", "申请表"],
                    "tags": ["x", "y"], "extra": {"k": 1}}
    assert typed["amount"] == "1,234.5" and typed["tags"] == ["x", "y"]


def test_coerce_leaves_bad_values_for_the_engine_to_name() -> None:
    fields = forms.fields_of(SCHEMA)
    data, _ = form_posts.coerce(fields, MultiDict([("count", "三"), ("amount", "abc"),
                                              ("kind", "zzz"), ("name", ""), ("ok", "")]))
    assert data == {"count": "三", "amount": "abc", "kind": "zzz", "flag": False}
    from engine.definitions.forms import field_errors
    errors = {name: said.render("zh") for name, said in field_errors(SCHEMA, data).items()}
    assert errors["count"] == "应为整数" and errors["amount"] == "应为数字"
    assert errors["kind"] == "不是有效的选项" and errors["name"] == "此项为必填项"


def test_display_values_round_trip() -> None:
    fields = forms.fields_of(SCHEMA)
    data = {"at": "2026-10-08T01:30:00+00:00", "ok": True, "items": ["a", "b"], "level": 2,
            "tags": ["y"], "extra": {"k": 1}}
    shown = forms.display_values(fields, data, SCHEMA)
    assert shown == {"at": "2026-10-08T09:30", "ok": "true", "items": "a\nb", "level": "2",
                     "tags": ["y"], "extra": '{"k": 1}'}
    assert forms.choice_label(fields, "kind", "a") == "甲"


@pytest.mark.parametrize(("now", "due", "css", "text"), [
    ("2026-09-30T16:00:00+08:00", "2026-09-30T17:30:00+08:00", "today", "今日到期"),
    ("2026-09-30T16:00:00+08:00", "2026-10-08T17:30:00+08:00", "open", "剩余 1 个工作日"),
    ("2026-10-09T09:00:00+08:00", "2026-10-12T17:30:00+08:00", "open", "剩余 2 个工作日"),
    ("2026-09-30T18:00:00+08:00", "2026-09-30T17:30:00+08:00", "overdue", "今日已超期"),
    ("2026-10-08T09:00:00+08:00", "2026-09-30T17:30:00+08:00", "overdue", "已超期 1 个工作日"),
    ("2026-10-12T09:00:00+08:00", "2026-10-08T17:30:00+08:00", "overdue", "已超期 3 个工作日"),
    # a stage that closes at 12-01 00:00 ends on 11-30 (Monday): due today there
    ("2026-11-30T09:00:00+08:00", "2026-12-01T00:00:00+08:00", "today", "今日到期"),
    ("2026-11-27T09:00:00+08:00", "2026-12-01T00:00:00+08:00", "open", "剩余 1 个工作日"),
])
def test_countdown_in_working_days(now: str, due: str, css: str, text: str) -> None:
    app = Flask(__name__)
    from flask_babel import Babel
    Babel(app)
    with app.test_request_context():
        got = fmt.countdown(datetime.fromisoformat(due), datetime.fromisoformat(now),
                            WorkCalendar())
    assert got == (css, text)


def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before() -> None:
    assert fmt.due_time(datetime.fromisoformat("2026-12-01T00:00:00+08:00")) \
        == "2026-11-30 24:00"
    assert fmt.due_time(datetime.fromisoformat("2026-11-30T09:30:00Z")) == "2026-11-30 17:30"
    assert fmt.due_time(None) == ""


def _loaded(version: int, text: str, forms_: dict[str, dict[str, object]]) -> LoadedVersion:
    return LoadedVersion(id=version, key="approval", version=version, name="测试审批", spec=None,
                         subprocess_specs={}, forms=forms_, case_prefix=None,
                         start_form_key=None, start_timers={},
                         files={"approval.bpmn": text})


def test_version_diff_elements_and_forms() -> None:
    old = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
    new = old.replace('camunda:dueDate="workday_close(1)"', 'camunda:dueDate="workday_close(2)"')
    new = new.replace("approved == True", "approved == True and unit != ''")
    new = new.replace('<bpmn:flowNodeRef>mark</bpmn:flowNodeRef>', '')
    new = new.replace('<bpmn:flowNodeRef>handle</bpmn:flowNodeRef>',
                      '<bpmn:flowNodeRef>handle</bpmn:flowNodeRef>'
                      '<bpmn:flowNodeRef>mark</bpmn:flowNodeRef>')
    new = new.replace('<bpmn:endEvent id="end" />',
                      '<bpmn:endEvent id="end" />\n<bpmn:task id="extra" name="新任务" />')
    new = new.replace('<bpmn:sequenceFlow id="f5" sourceRef="handle" targetRef="end" />', "")
    form_a = {"properties": {"x": {"type": "string"}}}
    form_b = {"properties": {"x": {"type": "integer"}, "y": {"type": "string"}}}
    diff = diff_loaded(_loaded(1, old, {"f": form_a, "gone": {}}),
                       _loaded(2, new, {"f": form_b, "new": {}}))
    assert [e.id for e in diff.added] == ["extra"]
    assert [e.id for e in diff.removed] == ["f5"]
    changed = {e.id: {c.what: (c.before, c.after) for c in e.changes} for e in diff.changed}
    assert changed["handle"]["camunda:dueDate"] == ("workday_close(1)", "workday_close(2)")
    assert changed["f_ok"]["conditionExpression"][1] == "approved == True and unit != ''"
    assert changed["Lane_approver"]["flowNodeRef:mark"] == ("✓", None)
    assert changed["Lane_handler"]["flowNodeRef:mark"] == (None, "✓")
    assert diff.forms_added == ["new"] and diff.forms_removed == ["gone"]
    assert [c.render("zh") for c in diff.forms_changed["f"]] == [
        "字段「x」：类型 文本 → 整数", "新增字段「y」（文本，选填）"]
    assert not diff_loaded(_loaded(1, old, {}), _loaded(2, old, {})).changed


def test_demo_users_cover_every_role_and_two_units(tmp_path: Path) -> None:
    from engine.org.roles import BY_ID
    engine = make_engine(tmp_path, frozen())
    try:
        lines = create_demo_users(engine)
        again = create_demo_users(engine)  # idempotent
        assert lines == again and DEMO_PASSWORD in lines[-1]
        from web.demo import DEMO_USERS
        roles = {r for _, _, rs, _ in DEMO_USERS for r in rs}
        assert roles == set(BY_ID)
        for role in ("handler", "responsible_unit", "policy_dept"):
            units = {u for _, _, rs, u in DEMO_USERS if role in rs}
            assert len(units) >= 2 and None not in units, role
        assert {"浮梁县纪委监委", "乐平市纪委监委"} <= {u for _, _, _, u in DEMO_USERS}
        assert engine.authenticate("handler_lp", DEMO_PASSWORD) is not None
        client = make_app(engine).test_client()
        login = client.post("/login", data={"username": "window", "password": DEMO_PASSWORD})
        assert login.status_code == 302
    finally:
        engine.close()


def test_every_policy_of_the_catalogue_has_a_demo_user_of_its_department(
        tmp_path: Path) -> None:
    """An application to any listed policy reaches someone in the demo."""
    from tests.demo_support import shipped_engine
    from web.demo import DEMO_USERS
    engine = shipped_engine(tmp_path, frozen())
    try:
        departments = {u for _, _, rs, u in DEMO_USERS if "policy_dept" in rs}
        listed = {p.policy_id: p.owning_dept for p in engine.policies()}
        assert len(listed) >= 7
        assert {k: d for k, d in listed.items() if d not in departments} == {}
    finally:
        engine.close()


def test_english_catalogue_is_complete_and_compiled() -> None:
    """Every message in web/ is translated in en/messages.po, and messages.mo matches it
    (regenerate with the commands in web/translations/README.md)."""
    folder = ROOT / "web" / "translations"
    with open(folder / "babel.cfg", encoding="utf-8") as cfg:
        assert "web/templates" in cfg.read()
    method_map = [("web/ui/**.py", "python"), ("web/demo.py", "python"),
                  ("web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None}
    used = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        used.add(message[0] if isinstance(message, tuple) else message)
    with open(folder / "en" / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        po = read_po(po_file)
    with open(folder / "en" / "LC_MESSAGES" / "messages.mo", "rb") as mo_file:
        mo = read_mo(mo_file)
    translated = {_one(m.id): _norm(m.string)
                  for m in po if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(used - set(translated))
    assert not missing, f"untranslated: {missing}"
    compiled = {_one(m.id): _norm(m.string) for m in mo if m.id}
    assert compiled == translated, "messages.mo is stale: run pybabel compile"


def _one(message_id: object) -> str:
    return str(message_id[0] if isinstance(message_id, tuple | list) else message_id)


def _norm(string: object) -> object:
    return tuple(string) if isinstance(string, tuple | list) else string
