"""The 新官不理旧账 campaign's pages, as the 改革创新组 uses them: a step that comes round by
design is not a resubmission, and the starter's acknowledgement is not a legacy case's data."""

from __future__ import annotations

from engine.api import Engine
from engine.views import TaskView
from tests.demo_support import demo as demo  # the fixture
from tests.demo_support import signed_in
from tests.test_process_legacy_campaign import CLUE, START

ACKNOWLEDGED = "我已了解：发起后各单位将立即收到本年度行动的任务"


def _register(demo: Engine, campaign: int) -> TaskView:
    return next(t for t in demo.inbox.for_user("reform_group")
                if t.instance_id == campaign and t.name == "register_clue")


def test_the_next_clue_to_register_is_not_marked_resubmitted(demo: Engine) -> None:
    """登记问题线索并移交办理 opens again for the next clue: neither the inbox row nor the task
    page calls it 重新提交（第 2 轮）, and the page shows no round before."""
    campaign = demo.start("legacy_campaign", START, "reform_group").id
    first = _register(demo, campaign)
    demo.complete(first.id, CLUE, "reform_group")
    again = _register(demo, campaign)
    assert again.id != first.id
    assert demo.inbox.rounds([again.id]) == {}
    web = signed_in(demo, "reform_group")
    inbox = web.get("/").text
    assert f'href="/tasks/{again.id}"' in inbox
    assert "重新提交" not in inbox.split(f'href="/tasks/{again.id}"')[1].split("</tr>")[0]
    page = web.get(f"/tasks/{again.id}").text
    assert 'id="round"' not in page and 'id="previous-round"' not in page


def test_a_legacy_case_does_not_carry_the_campaigns_acknowledgement(demo: Engine) -> None:
    """The tick of 发起 is checked when the campaign starts and kept by neither the campaign
    nor the legacy cases its registrations start: their 案件信息 do not show it."""
    campaign = demo.start("legacy_campaign", START, "reform_group")
    assert "start_confirmed" not in campaign.data
    demo.complete(_register(demo, campaign.id).id, CLUE, "reform_group")
    case = next(t for t in demo.inbox.for_user("reform_group")
                if t.process_key == "legacy_case").instance_id
    data = demo.instance(case).data
    assert data["campaign_year"] == 2026 and "start_confirmed" not in data
    web = signed_in(demo, "reform_group")
    page = web.get(f"/instances/{case}").text
    assert "景德镇某陶瓷科技有限公司" in page and ACKNOWLEDGED not in page
    assert ACKNOWLEDGED not in web.get(f"/instances/{campaign.id}").text
