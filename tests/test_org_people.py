"""Person fields (``x-user``): 专人管理 names a user of the clerk's own 纪委监委 by username; an
unknown, out-of-scope or wrong-role name is a field error naming the closest users, the page
offers only the users the field allows, and the 交办函 prints the person's display name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.definitions.forms import check_form
from engine.errors import Conflict, InvalidData
from engine.time.calendar import TZ
from engine.views import InstanceView
from tests.process_helpers import PROCESSES, case_task, clue_files, docx_text
from tests.test_ui_support import PASSWORD, as_user, make_app

FULIANG, LEPING = "浮梁县纪委监委", "乐平市纪委监委"
CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难", "summary": "拖延两个月"}


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    engine.add_user("intake_fl", ["intake"], unit=FULIANG, display_name="刘洋")
    engine.add_user("cm_fl", ["case_manager"], unit=FULIANG, display_name="周敏")
    engine.add_user("approver_fl", ["approver"], unit=FULIANG, display_name="吴刚")
    engine.add_user("cm_lp", ["case_manager"], unit=LEPING, display_name="何静")
    engine.add_user("intake_city", ["intake"], unit="市纪委信访室", display_name="李明")
    engine.add_user("cm_city", ["case_manager"], unit="市纪委市监委案件监督管理室",
                    display_name="孙丽")
    return engine


def _refusal(city: Engine, owner: str, by: str = "intake_fl") -> str:
    with pytest.raises(InvalidData) as refused:
        city.start("clue_triage", {**CLUE, "owner": owner}, by)
    return refused.value.field_errors["owner"]


def test_the_owner_is_a_user_of_the_clerk_s_own_body(city: Engine) -> None:
    case = city.start("clue_triage", {**CLUE, "owner": "cm_fl"}, "intake_fl")
    assert case.data["owner"] == "cm_fl"  # the username, as the API sends it
    assert city.replay(case.id).ok
    # a typo: refused, naming the closest users of the field
    typo = _refusal(city, "cm_f")
    assert "“cm_f”不是此处可选的人员" in typo and f"周敏（{FULIANG}）" in typo
    assert "cm_fl" not in typo.replace("“cm_f”", "")  # by name and unit, not by username
    # a real user of another county, or of a role the field does not take
    assert "不是此处可选的人员" in _refusal(city, "cm_lp")
    assert "不是此处可选的人员" in _refusal(city, "approver_fl")
    # the city's office clerks act for 市纪委市监委: they name each other
    city_case = city.start("clue_triage", {**CLUE, "owner": "cm_city"}, "intake_city")
    assert city_case.data["owner"] == "cm_city"
    assert "不是此处可选的人员" in _refusal(city, "cm_fl", by="intake_city")


def test_a_name_typed_for_exactly_one_person_offered_is_taken_as_their_username(
        city: Engine) -> None:
    """The placeholder says 输入姓名或单位: a full name that names one person of the field
    (the picker's name with the unit, the display name, or the name in a
    "受理员 刘洋（浮梁县纪委）" one) stores their username; a name two of them share is asked
    again, naming both by name and unit."""
    case = city.start("clue_triage", {**CLUE, "owner": "周敏"}, "intake_fl")
    assert case.data["owner"] == "cm_fl"
    picked = city.start("clue_triage", {**CLUE, "owner": f"周敏（{FULIANG}）"}, "intake_fl")
    assert picked.data["owner"] == "cm_fl"
    assert city.replay(case.id).ok
    city.add_user("intake_fl", ["intake"], unit=FULIANG, display_name="受理员 刘洋（浮梁县纪委）")
    for typed in ("刘洋", "受理员 刘洋（浮梁县纪委）", " 刘洋 "):
        assert city.start("clue_triage", {**CLUE, "owner": typed},
                          "intake_fl").data["owner"] == "intake_fl"
    # a name of someone the field does not offer stays refused (乐平's 何静, a city 孙丽)
    assert "不是此处可选的人员" in _refusal(city, "何静")
    assert "不是此处可选的人员" in _refusal(city, "孙丽")
    # two of the county's case managers named 周敏: which one is not guessed
    city.add_user("cm_fl2", ["case_manager"], unit=FULIANG, display_name="案件监督管理室 周敏")
    ambiguous = _refusal(city, "周敏")
    assert "对应此处多名可选人员" in ambiguous
    assert f"周敏（{FULIANG}）、案件监督管理室 周敏（{FULIANG}）" in ambiguous
    assert "cm_fl" not in ambiguous
    # the role word alone is no one's name
    assert "不是此处可选的人员" in _refusal(city, "受理员")


def test_the_picker_offers_the_field_s_people_only(city: Engine) -> None:
    schema = json.loads((PROCESSES.parent / "forms" / "clue_register.json")
                        .read_text(encoding="utf-8"))
    offered = city.person_choices(schema, city.user("intake_fl"))
    assert [p.username for p in offered["owner"]] == ["cm_fl", "intake_fl"]
    assert offered["owner"][0].label == f"周敏（{FULIANG}）"


def test_namesakes_of_one_unit_are_told_apart_by_username(city: Engine) -> None:
    """Two people of the same name are told apart by their units; only two of the same name
    in the same unit need their usernames beside it, and each such label names one."""
    city.add_user("cm_fl2", ["case_manager"], unit=FULIANG, display_name="周敏")
    city.add_user("intake_fl2", ["intake"], unit="浮梁县纪委监委", display_name="何静")
    offered = city.person_choices(json.loads((PROCESSES.parent / "forms" / "clue_register.json")
                                             .read_text(encoding="utf-8")),
                                  city.user("intake_fl"))["owner"]
    assert [p.label for p in offered] == [f"周敏（{FULIANG}）（cm_fl）",
                                          f"周敏（{FULIANG}）（cm_fl2）", f"刘洋（{FULIANG}）",
                                          f"何静（{FULIANG}）"]
    case = city.start("clue_triage", {**CLUE, "owner": f"周敏（{FULIANG}）（cm_fl2）"},
                      "intake_fl")
    assert case.data["owner"] == "cm_fl2"
    assert "对应此处多名可选人员" in _refusal(city, f"周敏（{FULIANG}）")


def _approved_for_transfer(city: Engine, owner: str) -> InstanceView:
    """A clue whose disposal 转办 the county's approver approved: a 交办函 may be issued."""
    case = city.start("clue_triage", {**CLUE, "owner": owner}, "intake_fl")
    city.complete(case_task(city, case.id, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": FULIANG}, "intake_fl")
    city.complete(case_task(city, case.id, "approve"), {"approved": True}, "approver_fl")
    return case


def test_a_transfer_letter_waits_for_the_approved_transfer(city: Engine) -> None:
    """The 交办函 says 经分管领导批准，现将…交由你单位办理: until the disposal is approved as
    转办, the case page offers it greyed out with the reason, and issuing it by hand is
    refused without taking a number."""
    case = city.start("clue_triage", {**CLUE, "owner": "cm_fl"}, "intake_fl")
    city.complete(case_task(city, case.id, "propose"), {
        "disposal": "直接核查", "proposal_reason": "可查", "handler_unit": FULIANG}, "intake_fl")
    [offered] = [t for t in city.dossier.templates(case.id, "intake_fl")
                 if t.key == "jiaoban_han"]
    assert not offered.ready and offered.when_text == "处置意见经批准为转办后"
    with pytest.raises(Conflict) as refused:
        city.dossier.issue(case.id, "jiaoban_han", "intake_fl")
    assert refused.value.said.render("zh") == "“交办函”暂不能出具：须处置意见经批准为转办后"
    city.complete(case_task(city, case.id, "approve"), {"approved": True}, "approver_fl")
    # approved, but as 直接核查: still no letter transferring it
    assert not next(t for t in city.dossier.templates(case.id, "intake_fl")
                if t.key == "jiaoban_han").ready
    ready = _approved_for_transfer(city, "cm_fl")
    assert next(t for t in city.dossier.templates(ready.id, "intake_fl")
            if t.key == "jiaoban_han").ready
    # the refusals took no number: the first letter is the county's 1号
    letter = city.dossier.issue(ready.id, "jiaoban_han", "intake_fl")
    assert letter.doc_no == "浮纪交〔2026〕1号"
    assert not [e for e in city.history(case.id) if e.type == "document"]


def test_the_transfer_letter_prints_the_owner_s_name(city: Engine) -> None:
    case = _approved_for_transfer(city, "cm_fl")
    letter = city.dossier.issue(case.id, "jiaoban_han", "intake_fl")
    text = docx_text(city.dossier.content(letter))
    assert "联系人：周敏" in text and "cm_fl" not in text
    assert "联系电话" not in text  # the account gives none


def test_the_transfer_letter_names_its_contact_by_name_and_office_telephone(
        city: Engine) -> None:
    """A display name may carry a role and a unit (the demo's 受理员 刘洋（浮梁县纪委）): the
    letter's 联系人 line prints the name alone, and the account's office telephone."""
    city.add_user("intake_fl", ["intake"], unit=FULIANG, display_name="受理员 刘洋（浮梁县纪委）",
                  phone=" 0798-2600101 ")
    case = _approved_for_transfer(city, "intake_fl")
    letter = city.dossier.issue(case.id, "jiaoban_han", "intake_fl")
    lines = docx_text(city.dossier.content(letter)).splitlines()
    assert "联系人：刘洋　联系电话：0798-2600101" in lines
    # the joint letterhead: each organ on a line of its own (one line of both wraps at A4)
    assert lines[:2] == ["中共浮梁县纪律检查委员会", "浮梁县监察委员会"]
    with pytest.raises(InvalidData) as refused:
        city.add_user("intake_fl", ["intake"], unit=FULIANG, phone="请拨总机")
    assert refused.value.field_errors == {"phone": "不是有效的电话号码"}
    city.add_user("intake_fl", ["intake"], unit=FULIANG, phone="")
    again = city.dossier.issue(case.id, "jiaoban_han", "intake_fl")
    assert "联系电话" not in docx_text(city.dossier.content(again))


def test_forms_declare_person_fields_with_a_known_shape() -> None:
    form = {"type": "object", "properties": {
        "a": {"type": "string", "x-user": True},
        "b": {"type": "string", "x-user": {"roles": ["intake"], "same_unit": True}},
        "c": {"type": "string", "x-user": {"roles": ["no_such_role"]}},
        "d": {"type": "string", "x-user": {"role": "intake"}}}}
    problems = [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]
    assert len(problems) == 2
    assert "unknown roles: no_such_role" in problems[0] and '"x-user" of "d"' in problems[1]


def test_a_default_of_now_is_declared_on_dates_only() -> None:
    form = {"type": "object", "properties": {
        "a": {"type": "string", "format": "date-time", "x-default": "now"},
        "b": {"type": "string", "format": "date", "x-default": "now"},
        "c": {"type": "string", "x-default": "now"},
        "d": {"type": "string", "format": "date", "x-default": "today"},
        "e": {"type": "boolean", "x-default": "blank"},  # asked afresh: any field
        "f": {"type": "integer", "x-default": "now"}}}  # this year
    problems = [str(p) for p in check_form(json.dumps(form, ensure_ascii=False, indent=1))]
    assert len(problems) == 2
    assert '"x-default" of "c"' in problems[0] and '"x-default" of "d"' in problems[1]


def test_the_start_page_offers_a_person_picker(city: Engine) -> None:
    app = make_app(city)
    city.add_user("intake_fl", ["intake"], unit=FULIANG, password=PASSWORD, display_name="刘洋")
    page = as_user(app, "intake_fl").get("/start/clue_triage").get_data(as_text=True)
    assert 'class="user-picker"' in page and 'list="f-owner-users"' in page
    # picked by name and unit: the picker shows no username
    assert f'<option value="周敏（{FULIANG}）"></option>' in page and "cm_lp" not in page
    assert "cm_fl" not in page
    # 收到时间 starts at the engine's clock ("x-default": "now"), to be corrected if need be
    now = city.clock.now().astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
    assert f'name="received_at" type="datetime-local" value="{now}"' in page
    refused = as_user(app, "intake_fl").post("/start/clue_triage", data={
        "channel": "举报直通车", "received_at": "2026-09-30T09:12", "anonymous": "true",
        "accused_unit": "某局", "problem_type": "推诿拖延刁难", "summary": "拖延",
        "owner": "cm_lp"})
    assert refused.status_code == 422
    assert "不是此处可选的人员" in refused.get_data(as_text=True)
    typed_name = as_user(app, "intake_fl").post("/start/clue_triage", data={
        "channel": "举报直通车", "received_at": "2026-09-30T09:12", "anonymous": "true",
        "accused_unit": "某局", "problem_type": "推诿拖延刁难", "summary": "拖延",
        "owner": "周敏"})
    assert typed_name.status_code == 302
    picked = as_user(app, "intake_fl").post("/start/clue_triage", data={
        "channel": "举报直通车", "received_at": "2026-09-30T09:12", "anonymous": "true",
        "accused_unit": "某局", "problem_type": "推诿拖延刁难", "summary": "拖延",
        "owner": f"周敏（{FULIANG}）"})
    assert picked.status_code == 302
    assert [city.instance(i).data["owner"] for i in city.instance_ids()] == ["cm_fl", "cm_fl"]
