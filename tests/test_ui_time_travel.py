"""Time travel on the instance page: the case, its open tasks and diagram after event N."""

from __future__ import annotations

import re

from engine.api import Engine
from engine.time.calendar import TZ
from tests.conftest import diagram_files
from tests.demo_support import demo as demo  # the fixture
from tests.demo_support import signed_in
from tests.test_ui_support import PASSWORD, choose_language, login, make_app

UNIT = "浮梁县纪委监委"


def test_auditor_steps_through_the_timeline(people: Engine) -> None:
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.complete(people.inbox.for_user("wang")[0].id, {"approved": True}, "wang")
    people.add_user("shen", ["auditor"], password=PASSWORD)
    client = make_app(people).test_client()
    login(client, "shen")
    page = client.get(f"/instances/{view.id}?at=1").get_data(as_text=True)
    assert 'id="time-travel"' in page and "提出处置意见" in page and 'rel="next"' in page
    assert 'rel="prev"' not in page
    at1 = client.get(f"/instances/{view.id}/diagram.json?at=1").get_json()
    assert at1["active"] == ["propose"] and "approve" not in at1["completed"]
    at2 = client.get(f"/instances/{view.id}/diagram.json?at=2").get_json()
    assert at2["active"] == ["approve"] and "propose" in at2["completed"]
    now = client.get(f"/instances/{view.id}/diagram.json").get_json()
    assert now["active"] == ["handle"] and "f_ok" in now["flows"]
    for at, status in (("0", 400), ("x", 400), ("99", 404)):
        missing = client.get(f"/instances/{view.id}?at={at}")
        assert missing.status_code == status, at
        assert "办理经过中没有要回溯的这一步" in missing.text
        assert f'<a class="button" href="/instances/{view.id}" id="back">返回案件</a>' in \
            missing.text
    people.add_user("nobody", ["enterprise"], password=PASSWORD)
    other = make_app(people).test_client()
    login(other, "nobody")
    # no part in the case: as if it did not exist
    assert other.get(f"/instances/{view.id}/diagram.json?at=1").status_code == 404


def test_the_shown_step_is_marked_and_named(people: Engine) -> None:
    """The step time travel shows: marked in the timeline (aria-current, 正在查看, no link to
    itself) and named with its number and time above the case and the diagram."""
    people.deploy(diagram_files("approval.bpmn"))
    view = people.start("approval", {"summary": "x", "unit": UNIT}, "li")
    people.complete(view.tasks[0].id, {"proposal": "转办"}, "li")
    people.add_user("shen", ["auditor"], password=PASSWORD)
    client = make_app(people).test_client()
    login(client, "shen")
    page = client.get(f"/instances/{view.id}?at=2").text
    steps = re.findall(r'<li class="event[^"]*"[^>]*>.*?</li>', page, re.S)
    assert len(steps) == 2
    started, shown = steps
    assert 'aria-current' not in started and "第 1 步" in started and "?at=1" in started
    assert re.match(r'<li class="event completed shown" aria-current="step"', shown)
    assert "第 2 步" in shown and '<span class="shown-label">正在查看</span>' in shown
    assert "提出处置意见" in shown and "?at=2" not in shown  # no link to what is shown
    at = people.history(view.id, "shen")[1].at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    assert f"<h2>回溯：第 2 步（办理 · 提出处置意见）之后 <small>{at}</small></h2>" in page
    assert f'<small id="diagram-step">第 2 步（办理 · 提出处置意见）之后 · {at}</small>' in page
    now = client.get(f"/instances/{view.id}").text
    assert "aria-current" not in now and "shown-label" not in now and 'id="diagram-step"' not in now
    choose_language(client)
    english = client.get(f"/instances/{view.id}?at=2").text
    assert "Time travel: after step 2 (Work · 提出处置意见)" in english
    assert '<span class="shown-label">Shown</span>' in english


def test_an_applicant_does_not_travel_back_in_its_case(demo: Engine) -> None:
    """The enterprise's 办理经过 lists its application's steps, not the staff's claims and
    urgings, and offers no 回溯到此: looking back at the case as it stood is the staff's tool
    (the working states between the steps are theirs), refused on the page and the diagram
    for every step; the staff see every step."""
    case = next(t.instance_id for t in demo.inbox.for_user("policy_sw")
                if t.name == "approve")
    approve = next(t.id for t in demo.inbox.for_user("policy_sw") if t.instance_id == case)
    demo.claim(approve, "policy_sw")  # the staff's own work: not the applicant's to see
    demo.ops.urge(approve, "reform_group", "请尽快审核。")
    demo.complete(approve, {"decision": "approve", "approved_amount": 480000}, "policy_sw")
    pay = next(t.id for t in demo.inbox.for_user("policy_sw") if t.instance_id == case)
    demo.complete(pay, {"paid_amount": 480000, "paid_on": "2026-09-30",
                        "payment_voucher": "SW-2026-0043", "notice_channel": "短信"}, "policy_sw")
    kinds = {e.seq: e.type for e in demo.history(case)}
    hidden = [s for s, kind in kinds.items() if kind in ("claimed", "urged")]
    assert len(hidden) == 2 and len(kinds) - len(hidden) > 3, kinds  # most after the hidden
    web = signed_in(demo, "enterprise")
    page = web.get(f"/instances/{case}").text
    assert "回溯到此" not in page and 'class="travel"' not in page
    assert "审批" in page  # its steps are listed all the same
    for seq in kinds:
        refused = web.get(f"/instances/{case}?at={seq}")
        if seq in hidden:  # a step its 办理经过 does not list is not there
            assert refused.status_code == 404
        else:
            assert refused.status_code == 403 and "仅限工作人员" in refused.text
        assert web.get(f"/instances/{case}/diagram.json?at={seq}").status_code == 403
    assert web.get(f"/instances/{case}/diagram.json").status_code == 200  # today's path
    staff = signed_in(demo, "policy_sw")  # the staff see every step
    assert "回溯到此" in staff.get(f"/instances/{case}").text
    assert staff.get(f"/instances/{case}?at={hidden[0]}").status_code == 200
    assert staff.get(f"/instances/{case}/diagram.json?at={hidden[0]}").status_code == 200


def test_the_snapshots_data_starts_with_the_case_number(demo: Engine) -> None:
    """As the case's own data: 案件编号 first, then the forms' fields in their order."""
    case = next(t.instance_id for t in demo.inbox.for_user("policy_sw")
                if t.name == "approve")
    web = signed_in(demo, "policy_sw")
    now = web.get(f"/instances/{case}").text.split('<dl class="data">', 1)[1]
    at = min(int(n) for n in re.findall(r'class="travel" href="[^"]*\?at=(\d+)"',
                                        web.get(f"/instances/{case}").text))
    then = web.get(f"/instances/{case}?at={at}").text.split('id="time-travel"', 1)[1]
    labels = re.findall(r"<dt>([^<]+)</dt>", then.split("</section>", 1)[0])
    assert labels[0] == "案件编号", labels
    shown = re.findall(r"<dt>([^<]+)</dt>", now.split("</dl>", 1)[0])
    assert [label for label in shown if label in labels] == [  # the same order
        label for label in labels if label in shown]
