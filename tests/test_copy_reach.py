"""抄送 on the shipped clue procedure with the unit directory (engine/queries/copy_targets.py):
a copy goes only to staff who could take part in the case (a role its lanes or tasks name)
within its reach (the county for a county's clue, the city's own units for the city's, and a
unit a task went to); the pickers offer exactly them; a copy's receiver reads the case but
copies it no further. The case page names people by name and unit, never by username; a
copy reads 抄送给 in the history; the comment box warns where the case holds confidential
fields (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from lxml import html as lxml_html

from engine.api import Engine
from engine.errors import EngineError, InvalidData, NotFound, PermissionDenied
from tests.process_helpers import PROCESSES, clue_files
from tests.test_ui_support import PASSWORD, as_user, make_app

FULIANG, LEPING, CITY = "浮梁县纪委监委", "乐平市纪委监委", "市纪委市监委"
FL_GOV = "浮梁县人民政府"
CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "浮梁县某镇人民政府", "problem_type": "吃拿卡要",
    "summary": "匿名反映某镇工作人员暗示需要“意思意思”。", "owner": "intake_fl"}
# (username, roles, unit, display name): 浮梁's clue office, the county's government (the
# reported unit's own), a city department, the city's offices, another county
PEOPLE = (
    ("intake_fl", ["intake"], FULIANG, "受理员 刘洋"),
    ("approver_fl", ["approver"], FULIANG, "分管领导 黄斌"),
    ("cm_fl", ["case_manager"], FULIANG, "林悦"),
    ("handler_fl", ["handler"], FULIANG, "赵磊"),
    ("clerk_fl", ["responsible_unit"], FULIANG, "钱多"),  # in the 纪委's unit, not its role
    ("unit_fl", ["responsible_unit"], FL_GOV, "责任单位 浮梁县人民政府"),
    ("policy_gx", ["policy_dept"], "市工信局", "政策主管部门 市工信局"),
    ("data_bureau", ["data_bureau"], None, "蒋华"),
    ("designer", ["designer"], None, "韩冰"),
    ("intake_lp", ["intake"], LEPING, "何静"),
    ("intake_city", ["intake"], "市纪委信访室", "李明"),
    ("approver_city", ["approver"], CITY, "王强"),
    ("cm_city", ["case_manager"], "市纪委市监委案件监督管理室", "孙丽"),
    ("style_group", ["style_group"], None, "周涛"),
    ("qiye", ["enterprise"], None, "某瓷业有限公司"),
)


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    for username, roles, unit, name in PEOPLE:
        engine.add_user(username, roles, unit=unit, display_name=name, password=PASSWORD)
    return engine


def _task(engine: Engine, instance_id: int, name: str) -> str:
    [task] = [t for t in engine.instance(instance_id).tasks if t.name == name]
    return task.id


def _said(caught: pytest.ExceptionInfo[EngineError]) -> str:
    return caught.value.said.render("zh")


def _offered(engine: Engine, instance_id: int, user: str) -> tuple[list[str], list[str]]:
    offer = engine.ops.offer(instance_id, user)
    return [p.username for p in offer.copy_people], [u.name for u in offer.copy_units]


def test_a_county_clue_is_copied_only_to_those_of_the_county_who_take_part(
        city: Engine) -> None:
    """浮梁's anonymous clue about a town government: not to 浮梁县人民政府 (no step of the
    procedure is a 责任单位's), not to a city department, the data bureau or the designer,
    not to another county's or the city's clue offices; to 浮梁's 分管领导, 案管室 and
    承办部门. The pickers offer the same."""
    case = city.start("clue_triage", CLUE, "intake_fl")
    people, units = _offered(city, case.id, "intake_fl")
    assert people == ["approver_fl", "cm_fl", "handler_fl"]
    assert units == [FULIANG]  # 浮梁县人民政府 is not offered: none of its users qualifies
    for to, said in (
            ("unit_fl", "责任单位 浮梁县人民政府不承担“问题线索受理处置”的办理环节，不能抄送"),
            ("policy_gx", "政策主管部门 市工信局不承担“问题线索受理处置”的办理环节"),
            ("data_bureau", "蒋华不承担“问题线索受理处置”的办理环节"),
            ("designer", "韩冰不承担"),
            ("intake_lp",
             f"何静（{LEPING}）不在浮梁县：本案属浮梁县，只能抄送给浮梁县可参与办理的人员"),
            ("cm_city", "孙丽（市纪委市监委案件监督管理室）不在浮梁县"),
            ("style_group", "周涛不在浮梁县"),
            ("qiye", "某瓷业有限公司是企业账号：抄送只发给工作人员")):
        with pytest.raises(InvalidData) as refused:
            city.ops.cc(case.id, "intake_fl", to_user=to)
        assert said in _said(refused), to
    with pytest.raises(InvalidData) as refused:
        city.ops.cc(case.id, "intake_fl", to_unit="浮梁县政府")  # by an alias
    assert _said(refused) == "浮梁县人民政府没有可参与本案办理的人员，不能抄送给该单位"
    # nobody got anything: the reported unit's government cannot read the clue
    assert city.ops.copies("unit_fl") == []
    with pytest.raises(PermissionDenied):
        city.instance(case.id, "unit_fl")
    assert [e.type for e in city.history(case.id)].count("copied") == 0


def test_a_unit_s_copy_goes_to_its_members_who_take_part(city: Engine) -> None:
    """Not to the unit's user of a role the procedure does not name, nor back to the one
    copying; a person picked by the name the picker shows."""
    case = city.start("clue_triage", CLUE, "intake_fl")
    assert city.ops.cc(case.id, "intake_fl", to_unit="浮梁县纪委") == [
        "approver_fl", "cm_fl", "handler_fl"]
    assert city.ops.copies("clerk_fl") == [] and city.ops.copies("intake_fl") == []
    assert city.ops.cc(case.id, "intake_fl", to_user=f"赵磊（{FULIANG}）") == ["handler_fl"]
    [copied, by_name] = [e for e in city.history(case.id) if e.type == "copied"]
    assert (copied.payload["to_unit"], copied.payload["users"]) == (
        FULIANG, ["approver_fl", "cm_fl", "handler_fl"])
    assert (by_name.payload["to"], by_name.payload["to_unit"]) == ("handler_fl", None)


def test_a_copy_s_receiver_reads_and_comments_but_copies_no_further(city: Engine) -> None:
    """The handler, copied before the case reaches them, reads it and may comment; copying
    it on is theirs once they take part (their own step), not through the copy."""
    case = city.start("clue_triage", CLUE, "intake_fl")
    with pytest.raises(PermissionDenied):
        city.instance(case.id, "handler_fl")
    city.ops.cc(case.id, "intake_fl", to_user="handler_fl")
    city.instance(case.id, "handler_fl")  # the copy lets them read it
    offer = city.ops.offer(case.id, "handler_fl")
    assert (offer.may_comment, offer.may_copy, offer.copy_people, offer.copy_units) == (
        True, False, [], [])
    with pytest.raises(PermissionDenied) as refused:
        city.ops.cc(case.id, "handler_fl", to_user="cm_fl")
    assert "本案抄送给您阅知（可发表意见），不能再抄送" in _said(refused)
    city.ops.comment(case.id, "handler_fl", "已阅")
    # the case reaches them: now they take part, and may copy it within its reach
    city.complete(_task(city, case.id, "propose"), {
        "disposal": "转办", "proposal_reason": "可查", "handler_unit": FULIANG}, "intake_fl")
    city.complete(_task(city, case.id, "approve"), {"approved": True}, "approver_fl")
    city.complete(_task(city, case.id, "transfer"), {"transfer_note": "请核查"}, "intake_fl")
    assert city.ops.offer(case.id, "handler_fl").may_copy
    assert city.ops.cc(case.id, "handler_fl", to_user="cm_fl") == ["cm_fl"]
    # a stranger to the case is told no more than that it does not exist
    with pytest.raises(NotFound):
        city.ops.cc(case.id, "intake_lp", to_user="cm_fl")


def test_a_city_clue_goes_to_the_city_s_units_and_where_its_steps_went(city: Engine) -> None:
    """The city's clue: its offices and the style group (no unit: the city's), not a
    county's clue office; 浮梁's handler once a step of the case went to 浮梁县纪委监委."""
    case = city.start("clue_triage", {**CLUE, "owner": "intake_city"}, "intake_city")
    assert case.data["jurisdiction"] == CITY
    people, units = _offered(city, case.id, "intake_city")
    assert people == ["approver_city", "cm_city", "style_group"]
    assert units == ["市纪委市监委", "市纪委市监委案件监督管理室"]
    with pytest.raises(InvalidData) as refused:
        city.ops.cc(case.id, "intake_city", to_user="handler_fl")
    assert f"赵磊（{FULIANG}）属县（市、区）单位：本案为市本级案件" in _said(refused)
    city.complete(_task(city, case.id, "propose"), {
        "disposal": "转办", "proposal_reason": "属地办理", "handler_unit": FULIANG},
        "intake_city")
    city.complete(_task(city, case.id, "approve"), {"approved": True}, "approver_city")
    city.complete(_task(city, case.id, "transfer"), {"transfer_note": "请核查"}, "intake_city")
    people, units = _offered(city, case.id, "intake_city")
    assert "handler_fl" in people and "approver_fl" in people and "intake_lp" not in people
    assert FULIANG in units
    assert city.ops.cc(case.id, "intake_city", to_user="handler_fl") == ["handler_fl"]


# -- the case page -----------------------------------------------------------------------

def _page(app: Flask, user: str, instance_id: int) -> str:
    return as_user(app, user).get(f"/instances/{instance_id}").text


def _between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_the_case_page_offers_and_refuses_as_the_engine_does(city: Engine) -> None:
    case = city.start("clue_triage", CLUE, "intake_fl")
    app = make_app(city)
    page = _page(app, "intake_fl", case.id)
    people = _between(page, '<datalist id="copy-people">', "</datalist>")
    assert people == (f'<option value="分管领导 黄斌（{FULIANG}）"></option>'
                      f'<option value="林悦（{FULIANG}）"></option>'
                      f'<option value="赵磊（{FULIANG}）"></option>')
    units = _between(page, '<datalist id="copy-units">', "</datalist>")
    assert f'value="{FULIANG}"' in units and FL_GOV not in units
    refused = as_user(app, "intake_fl").post(f"/instances/{case.id}/cc",
                                             data={"to_unit": FL_GOV}, follow_redirects=True)
    assert "浮梁县人民政府没有可参与本案办理的人员，不能抄送给该单位" in refused.text
    copied = as_user(app, "intake_fl").post(f"/instances/{case.id}/cc",
                                            data={"to": f"赵磊（{FULIANG}）"},
                                            follow_redirects=True)
    assert "已抄送" in copied.text
    # the receiver: 已阅 and 意见, no 抄送
    handler = _page(app, "handler_fl", case.id)
    assert 'id="op-read"' in handler and 'id="op-comment"' in handler
    assert 'id="op-cc"' not in handler


def test_the_history_names_people_and_says_whom_a_copy_went_to(city: Engine) -> None:
    """办理经过, the tasks done, 专人管理 and the printed 办理单 name people by name and unit;
    a copy reads 抄送给 and its receiver's name, not 交给 and a username."""
    case = city.start("clue_triage", {**CLUE, "owner": "cm_fl"}, "intake_fl")
    city.complete(_task(city, case.id, "propose"), {
        "disposal": "直接核查", "proposal_reason": "可查", "handler_unit": FULIANG}, "intake_fl")
    city.ops.cc(case.id, "intake_fl", to_user="cm_fl")
    city.ops.cc(case.id, "intake_fl", to_unit=FULIANG)
    app = make_app(city)
    for user in ("approver_fl", "cm_fl"):
        page = _page(app, user, case.id)
        main = lxml_html.fromstring(page).xpath("//main")[0].text_content()
        for username in ("intake_fl", "cm_fl", "approver_fl"):
            assert username not in main, (user, username)
        assert "交给" not in main
        assert f"受理员 刘洋（{FULIANG}）" in main
        assert f"<dt>抄送给</dt><dd>林悦（{FULIANG}）</dd>" in page
        assert f"<dt>抄送单位</dt><dd>{FULIANG}</dd>" in page
        data = _between(page, '<dl class="data">', "</dl>")
        assert f"</dt><dd>林悦（{FULIANG}）</dd>" in data  # 专人管理
        printed = as_user(app, user).get(f"/instances/{case.id}/print").text
        assert "intake_fl" not in printed and "cm_fl" not in printed
        assert f"受理员 刘洋（{FULIANG}）" in printed


def test_the_comment_box_warns_where_the_case_holds_confidential_fields(city: Engine) -> None:
    """A comment reads in full to everyone who reads the case, also to those who see the
    reporter as ***: where the case holds a confidential field, the box says so, naming
    the fields; an anonymous clue without them does not."""
    named = city.start("clue_triage", {**CLUE, "anonymous": False, "reporter": "张女士",
                                       "reporter_contact": "13907981234"}, "intake_fl")
    anonymous = city.start("clue_triage", CLUE, "intake_fl")
    app = make_app(city)
    for user in ("intake_fl", "cm_fl"):
        page = _page(app, user, named.id)
        warning = _between(page, '<p class="hint" id="comment-confidential">', "</p>")
        assert warning == ("意见对可查阅本案的所有人员可见，"
                           "请勿写入举报人、举报人联系方式等保密信息。")
    assert 'id="comment-confidential"' not in _page(app, "intake_fl", anonymous.id)
    assert city.ops.offer(named.id, "cm_fl").confidential == ("reporter", "reporter_contact")
    assert city.ops.offer(anonymous.id, "cm_fl").confidential == ()
