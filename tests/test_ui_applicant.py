"""An enterprise follows its own application: what it submitted, the status, the result and
the documents issued to it; staff work (claims, who approved and paid, who uploaded) stays
with the staff."""

from __future__ import annotations

from lxml import html as lxml_html

from engine.api import Engine
from tests.demo_support import APPLICATION, demo, signed_in  # noqa: F401  # fixture

STAFF = ("policy_sw", "data_bureau", "市商务局（policy_sw）", "蒋华")



def paid_case(engine: Engine) -> int:
    """JSJX-2026-000001: approved and paid by 市商务局, the payout notice issued, the data
    bureau's step open and claimed."""
    found = next(i for i in range(1, 20) if engine.instance(i).business_key == "JSJX-2026-000001")
    record = next(t for t in engine.inbox.for_user("data_bureau") if t.instance_id == found)
    engine.claim(record.id, "data_bureau")
    return found


def test_the_applicant_sees_its_application_not_the_staff(demo: Engine) -> None:  # noqa: F811
    case = paid_case(demo)
    page = signed_in(demo, "enterprise").get(f"/instances/{case}")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    text = tree.xpath("//main")[0].text_content()
    for staff in STAFF:
        assert staff not in text, staff
    assert "认领" not in text and "抄送" not in text  # staff work and staff operations
    # its application, the status, the result, the document issued to it
    assert "景德镇某瓷业有限公司" in text and "36,000" in text
    assert tree.get_element_by_id("status").text == "办理中"
    assert "已兑付" in tree.get_element_by_id("outcome").text_content()
    assert "景惠企兑〔2026〕1号" in tree.get_element_by_id("files").text_content()
    # the engine numbered and issued it: its 上传人 is the system, not a blank
    [row] = tree.xpath("//section[@id='files']//tbody/tr")
    assert row.xpath("td[@data-label='上传人']")[0].text_content().strip() == "系统"
    timeline = tree.xpath("//ol[@class='timeline']")[0].text_content()
    assert "企业 景德镇某瓷业有限公司（enterprise）" in timeline  # itself, by name
    assert "审批" in timeline and "出具文书" in timeline  # the steps, without who did them
    # no link to a staff task it cannot open
    assert not [a for a in tree.xpath("//a/@href") if a.startswith("/tasks/")]


def test_staff_still_see_who_did_what(demo: Engine) -> None:  # noqa: F811
    case = paid_case(demo)
    text = lxml_html.fromstring(signed_in(demo, "policy_sw").get(f"/instances/{case}").text
                                ).xpath("//main")[0].text_content()
    assert "市商务局（policy_sw）" in text and "认领" in text and "抄送" in text


def test_the_enterprise_follows_what_a_window_filed_with_its_credit_code(
        demo: Engine) -> None:  # noqa: F811
    """The window files an application for the enterprise (its 统一社会信用代码, linked to the
    enterprise's user): the enterprise finds it under 我的申请 and reads it, its contact in
    clear; an application for another enterprise stays hidden from it."""
    ours = demo.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002",
                                          "channel": "一窗"}, "window").id
    theirs = demo.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002",
                                            "channel": "一窗", "enterprise_name": "另一家公司",
                                            "credit_code": "91360200MA35B0002Q"}, "window").id
    assert demo.user("enterprise").credit_code == "91360200MA35B0001M"
    listed = {a.case.instance_id for a in demo.worklists.applications("enterprise")}
    assert ours in listed and theirs not in listed
    web = signed_in(demo, "enterprise")
    assert f'href="/instances/{ours}"' in web.get("/applications").text
    page = web.get(f"/instances/{ours}")
    assert page.status_code == 200 and "0798-8888888" in page.text
    assert web.get(f"/instances/{theirs}").status_code == 404
    assert demo.instance(ours, "enterprise").data["contact_phone"] == "0798-8888888"


def test_the_enterprise_applies_under_its_own_code_prefilled(demo: Engine) -> None:  # noqa: F811
    """The start form shows the enterprise's own 统一社会信用代码 and name; another
    company's code is refused beside the field; the window's form stays empty."""
    web = signed_in(demo, "enterprise")
    tree = lxml_html.fromstring(web.get("/start/subsidy_instant").text)
    assert tree.get_element_by_id("f-credit_code").get("value") == "91360200MA35B0001M"
    assert tree.get_element_by_id("f-enterprise_name").get("value") == "景德镇某瓷业有限公司"
    window = lxml_html.fromstring(signed_in(demo, "window").get("/start/subsidy_instant").text)
    assert not window.get_element_by_id("f-credit_code").get("value")
    before = len(demo.instance_ids())
    form = {**{k: str(v) for k, v in APPLICATION.items()}, "policy_id": "JS-002",
            "credit_code": "91360200MA35B0002Q"}
    refused = web.post("/start/subsidy_instant", data=form)
    assert refused.status_code == 422
    assert "企业只能以本企业的统一社会信用代码 91360200MA35B0001M 申请" in refused.text
    assert len(demo.instance_ids()) == before
