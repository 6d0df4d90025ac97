"""The unit directory (engine/org/directory.py): the city's file checked whole and loaded,
units found by any of their names, a typo refused with the closest entries (users, form
fields, task units), stored names moved onto the directory, lists for diagrams that replay
as they were answered, and the CLI, API and page that show it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.api import Engine
from engine.cli import main
from engine.definitions.forms import check_form
from engine.definitions.validation import SourceFile
from engine.errors import InvalidData
from engine.files.documents import unit_full_name
from engine.org import directory
from engine.storage.schema import Task
from engine.views import InstanceView
from tests.conftest import diagram_files
from tests.process_helpers import PROCESSES, clue_files, definitions
from tests.test_api_helpers import make_api
from tests.test_ui_support import PASSWORD, as_user, frozen, make_app, make_engine
from web.api.openapi import OPENAPI

UNITS_FILE = PROCESSES / "units.csv"
SHIPPED = UNITS_FILE.read_text(encoding="utf-8")
HEADER = "id,name,full_name,aliases,kind,parent,tags,fields\n"


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units(SHIPPED)
    return engine


def test_the_shipped_directory_names_the_seed_s_units(city: Engine) -> None:
    found = city.unit_directory()
    assert [u.name for u in found.tagged("县区")] == ["昌江区", "珠山区", "浮梁县", "乐平市"]
    assert [u.name for u in found.tagged("园区")] == ["高新区", "昌南新区"]
    for county in ("昌江区", "珠山区", "浮梁县", "乐平市"):
        below = {u.kind for u in found.children(found.find(county))}
        assert {"纪委监委", "人民政府"} <= below, county
    for name in ("市纪委市监委", "市发改委", "市工信局", "市商务局", "市财政局", "市政数局",
                 "市市场监管局", "市司法局", "市人社局", "市交通运输局", "市住建局", "市文旅局",
                 "市农业农村局", "市林业局", "市科技局", "市税务局", "市中级人民法院"):
        assert found.find(name) is not None, name
    # any name finds the unit: id, full name, alias
    assert found.find("jdz.fgw") == found.find("景德镇市发展和改革委员会") == found.find("市发改委")
    assert found.find("乐平市纪委").name == "乐平市纪委监委"  # type: ignore[union-attr]
    assert [u.name for u in found.regulators("招商引资")] == ["市商务局"]
    office = found.find("市纪委市监委信访室")
    assert office is not None and found.body(office).name == "市纪委市监委"
    assert found.area(office).name == "景德镇市"
    assert city.units(tag="县区", q="乐平")[0].name == "乐平市"


def test_a_file_with_problems_loads_nothing_and_names_each_line(city: Engine) -> None:
    bad = HEADER + ("a,甲,,,市直部门,nowhere,,\n"
                    "b,甲,,,市直部门,,,\n"
                    "c,丙,,,市直部门,d,,\n"
                    "d,丁,,,市直部门,c,,\n"
                    "e,戊,,,无此类别,,,\n")
    with pytest.raises(InvalidData) as refused:
        city.import_units(bad)
    text = refused.value.field_errors["file"]
    assert "line 2: a: unknown parent 'nowhere'" in text
    assert "line 3: b: the name '甲' is taken by a (line 2)" in text
    assert "line 4: c: its parents form a cycle" in text
    assert "line 6: e: unknown kind" in text
    assert len(city.units()) == len(directory.parse(SHIPPED))  # the old directory stays


def test_users_belong_to_directory_units(city: Engine) -> None:
    assert city.add_user("a", ["handler"], unit="浮梁县纪委").unit == "浮梁县纪委监委"
    with pytest.raises(InvalidData) as refused:
        city.add_user("b", ["handler"], unit="乐平纪委")
    assert "乐平市纪委监委" in refused.value.field_errors["unit"]


def test_import_moves_stored_names_onto_the_directory(engine: Engine) -> None:
    """Users and open tasks that carry an alias now carry the name; names the directory lacks
    are listed, nothing is dropped."""
    engine.add_user("old", ["handler"], unit="浮梁县纪委")  # before there was a directory
    engine.add_user("odd", ["handler"], unit="某某办")
    engine.deploy(diagram_files("approval.bpmn"))
    engine.add_user("li", ["intake"])
    engine.add_user("wang", ["approver"])
    case = engine.start("approval", {"summary": "不作为", "unit": "浮梁县纪委"}, "li")
    [propose] = case.tasks
    engine.complete(propose.id, {"proposal": "转办"}, "li")
    [approve] = engine.instance(case.id).tasks
    engine.complete(approve.id, {"approved": True}, "wang")

    report = engine.import_units(SHIPPED)
    assert report.renamed == {"浮梁县纪委": "浮梁县纪委监委"}
    assert report.unmapped == {"某某办": 1}
    assert engine.user("old").unit == "浮梁县纪委监委"
    with engine.transaction(read_only=True) as session:
        units = {t.unit for t in session.query(Task).filter(Task.status == "ready")}
    assert units == {"浮梁县纪委监委"}
    assert [t.name for t in engine.inbox.for_user("old")] == ["handle"]


def test_a_typo_in_a_unit_field_is_refused_and_an_alias_stored_by_name(city: Engine) -> None:
    city.deploy(clue_files())
    city.add_user("li", ["intake"], unit="市纪委信访室")
    case = city.start("clue_triage", {
        "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某局", "problem_type": "推诿拖延刁难", "summary": "拖延",
        "owner": "li"}, "li")
    [propose] = case.tasks
    with pytest.raises(InvalidData) as refused:
        city.complete(propose.id, {"disposal": "转办", "proposal_reason": "可查",
                                   "handler_unit": "乐平纪委监委"}, "li")
    assert refused.value.field_errors["handler_unit"].startswith("单位名录中没有“乐平纪委监委”")
    assert "乐平市纪委监委" in refused.value.field_errors["handler_unit"]
    with pytest.raises(InvalidData) as wrong_kind:  # in the directory, not a handler unit
        city.complete(propose.id, {"disposal": "转办", "proposal_reason": "可查",
                                   "handler_unit": "市财政局"}, "li")
    assert "不在此处可选的单位之列" in wrong_kind.value.field_errors["handler_unit"]
    with pytest.raises(InvalidData) as alias:  # the county by its short name: says both
        city.complete(propose.id, {"disposal": "转办", "proposal_reason": "可查",
                                   "handler_unit": "乐平"}, "li")
    said = alias.value.field_errors["handler_unit"]
    assert said.startswith("“乐平”（即乐平市）不在此处可选的单位之列，可选如："), said
    assert "乐平市纪委监委" in said
    city.complete(propose.id, {"disposal": "转办", "proposal_reason": "可查",
                               "handler_unit": "lp.jw"}, "li")  # by id
    assert city.instance(case.id).data["handler_unit"] == "乐平市纪委监委"


def test_a_task_is_never_routed_to_a_unit_the_directory_lacks(city: Engine) -> None:
    """The test diagram takes its unit as free text: the handler's task is refused."""
    city.deploy(diagram_files("approval.bpmn"))
    city.add_user("li", ["intake"], unit="市纪委信访室")
    city.add_user("wang", ["approver"], unit="市纪委市监委")
    case = city.start("approval", {"summary": "不作为", "unit": "乐平纪委监委"}, "li")
    city.complete(case.tasks[0].id, {"proposal": "转办"}, "li")
    [approve] = city.instance(case.id).tasks
    with pytest.raises(InvalidData) as refused:
        city.complete(approve.id, {"approved": True}, "wang")
    assert "乐平市纪委监委" in refused.value.field_errors["unit"]
    assert [t.name for t in city.instance(case.id).tasks] == ["approve"]


def test_forms_declare_unit_fields_with_a_known_shape() -> None:
    form = {"type": "object", "properties": {
        "u": {"type": "string", "x-org-unit": {"tags": ["县区"], "kinds": ["纪委监委"]}},
        "v": {"type": "string", "x-org-unit": True},
        "w": {"type": "string", "x-org-unit": {"tag": "县区"}}}}
    problems = [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]
    assert len(problems) == 1 and '"x-org-unit" of "w"' in problems[0]


def test_lists_in_diagrams_follow_the_directory_and_replay_as_answered(city: Engine) -> None:
    """A unit added to the directory is asked from the next case on; the cases before it
    still replay (the engine fixture replays every case at the end)."""
    city.deploy([*diagram_files(), *_report_files()])
    city.add_user("gaige", ["reform_group"])
    city.start("report_schedule_progress", {}, "gaige")
    assert len(_reports(city)) == 6
    city.import_units(SHIPPED + "fxq,浮梁新区,,,园区管委会,jdz,园区,\n")
    city.start("report_schedule_progress", {}, "gaige")
    assert _reports(city)[-1].data["report_unit"] == "浮梁新区"
    assert len(_reports(city)) == 6 + 7
    for instance_id in city.instance_ids():
        assert city.replay(instance_id).ok


def _report_files() -> list[SourceFile]:
    return definitions(["ledger_report.bpmn"], ["report_*.json"])


def _reports(engine: Engine) -> list[InstanceView]:
    cases = [engine.instance(i) for i in engine.instance_ids()]
    return [c for c in cases if c.process_key == "ledger_report"]


# -- CLI, API, page ------------------------------------------------------------------------


def test_cli_lists_shows_and_imports_units(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}
    done = runner.invoke(main, ["units", "import", str(UNITS_FILE)], env=env)
    assert done.exit_code == 0 and "unit(s) loaded" in done.output
    listed = runner.invoke(main, ["units", "list", "--json", "--tag", "园区"], env=env)
    assert [u["name"] for u in json.loads(listed.output)] == ["高新区", "昌南新区"]
    shown = runner.invoke(main, ["units", "show", "浮梁县纪委"], env=env)
    assert json.loads(shown.output)["path"] == ["景德镇市", "浮梁县", "浮梁县纪委监委"]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x,某,,,市直部门,nowhere,,\n", encoding="utf-8")
    refused = runner.invoke(main, ["units", "import", str(bad)], env=env)
    assert refused.exit_code == 1 and "line 2: x: unknown parent" in refused.output
    typo = runner.invoke(main, ["users", "add", "z", "--role", "intake", "--unit", "乐平纪委",
                                "--no-password"], env=env)
    assert typo.exit_code == 1 and "乐平市纪委监委" in typo.output


def test_api_lists_the_directory_to_signed_in_users(city: Engine) -> None:
    city.add_user("li", ["intake"])
    api = make_api(city)
    assert api.get("/units").status_code == 401
    body = api.get("/units?tag=县区&q=浮梁", "li").get_json()
    assert [u["name"] for u in body["units"]] == ["浮梁县"]
    assert body["units"][0]["parent"] == "jdz"
    every = api.get("/units", "li").get_json()
    Draft202012Validator({"$ref": "#/components/schemas/UnitList",
                          "components": OPENAPI["components"]}).validate(every)
    assert len(every["units"]) == len(directory.parse(SHIPPED))


def test_the_units_page_and_the_unit_picker(tmp_path: Path) -> None:
    eng = make_engine(tmp_path, frozen())
    try:
        eng.import_units(SHIPPED)
        eng.deploy(clue_files())
        eng.add_user("design", ["designer"], password=PASSWORD)
        eng.add_user("li", ["intake"], unit="市纪委信访室", password=PASSWORD)
        app = make_app(eng)
        page = as_user(app, "design").get("/units/?q=乐平").text
        assert "乐平市纪委监委" in page and "浮梁县纪委监委" not in page
        # each unit's 发文代字 beside its kind (乐纪交〔2026〕1号 is numbered under 乐纪)
        row = page[page.index('class="unit-name depth-2">乐平市纪委监委'):]
        assert '<td data-label="发文代字">乐纪</td>' in row[:row.index("</tr>")]
        assert as_user(app, "li").get("/units/").status_code == 403
        case = eng.start("clue_triage", {
            "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00",
            "anonymous": True, "accused_unit": "某局", "problem_type": "推诿拖延刁难",
            "summary": "拖延", "owner": "li"}, "li")
        form = as_user(app, "li").get(f"/tasks/{case.tasks[0].id}").text
        assert 'list="f-handler_unit-units"' in form
        assert '<option value="乐平市纪委监委">' in form
        assert '<option value="市财政局">' not in form  # not a handler unit
    finally:
        eng.close()


def test_documents_address_units_by_their_full_names(city: Engine) -> None:
    found = city.unit_directory()
    assert unit_full_name("市发改委", found) == "景德镇市发展和改革委员会"
    assert unit_full_name("某某办", found) == "某某办"  # not in the directory: as written
    assert unit_full_name(None, found) == ""
