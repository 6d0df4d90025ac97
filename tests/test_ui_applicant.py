"""An enterprise follows its own application: what it submitted, the status, the result and
the documents issued to it; staff work (claims, who approved and paid, who uploaded) stays
with the staff."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.demo_support import (  # noqa: F401  # fixture
    APPLICATION,
    SHIPPED_AT,
    demo,
    shipped_engine,
    signed_in,
)
from tests.process_helpers import at

STAFF = ("policy_sw", "data_bureau", "政策主管部门 市商务局", "蒋华")



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
    [row] = [r for r in tree.xpath("//section[@id='files']//tbody/tr")
             if "景惠企兑" in r.text_content()]
    assert row.xpath("td[@data-label='上传人']")[0].text_content().strip() == "系统"
    timeline = tree.xpath("//ol[@class='timeline']")[0].text_content()
    assert "企业 景德镇某瓷业有限公司" in timeline  # itself, by name
    assert "审批" in timeline and "出具文书" in timeline  # the steps, without who did them
    # no link to a staff task it cannot open
    assert not [a for a in tree.xpath("//a/@href") if a.startswith("/tasks/")]


def test_staff_still_see_who_did_what(demo: Engine) -> None:  # noqa: F811
    case = paid_case(demo)
    text = lxml_html.fromstring(signed_in(demo, "policy_sw").get(f"/instances/{case}").text
                                ).xpath("//main")[0].text_content()
    assert "政策主管部门 市商务局" in text and "认领" in text and "抄送" in text
    assert "policy_sw" not in text and "data_bureau" not in text  # by name, not username


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


def application_rows(web_page: str) -> dict[str, dict[str, str]]:
    """我的申请 by case number: each column's text by its label."""
    tree = lxml_html.fromstring(web_page)
    rows = {}
    for tr in tree.xpath('//table[@id="applications"]/tbody/tr'):
        cells = {td.get("data-label"): " ".join(td.text_content().split()) for td in tr}
        rows[tr.xpath(".//td[2]//a")[0].text_content()] = cells
    return rows


def test_a_decided_application_shows_its_answer_as_its_status(demo: Engine) -> None:  # noqa: F811
    """Decided, the answer is the status, though the report to 市政数局 is still open; a paid
    one says what was paid; an open one its step."""
    refused = demo.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002"},
                         "enterprise")
    approve = next(t for t in demo.inbox.for_user("policy_sw")
                   if t.instance_id == refused.id)
    demo.complete(approve.id, {"decision": "reject", "reject_reason": "保费未实缴",
                               "policy_explanation": "须已缴纳保费"}, "policy_sw")
    rows = application_rows(signed_in(demo, "enterprise").get("/applications").text)
    paid, waiting = rows["JSJX-2026-000001"], rows["JSJX-2026-000002"]
    assert (paid["状态"], paid["结果"]) == ("已兑付", "兑付金额：36,000元")
    assert waiting["状态"] == "办理中 · 审批" and waiting["结果"] == "—"
    no = rows[str(refused.business_key)]
    assert no["状态"] == "不予兑现" and "登记兑付结果" not in no["状态"]
    assert no["结果"] == "原因：保费未实缴 政策解释：须已缴纳保费"
    [mine] = [a for a in demo.worklists.applications("enterprise")
              if a.case.business_key == "JSJX-2026-000001"]
    assert mine.as_json()["paid_amount"] == 36000 and mine.case.open_tasks  # still the staff's


def test_a_refusal_is_told_as_not_paid_not_as_not_accepted(demo: Engine) -> None:  # noqa: F811
    """The department refused after review (不予兑现): its letter says so, not 不予受理,
    which is turning the application away unread."""
    case = demo.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002"}, "enterprise")
    approve = next(t for t in demo.inbox.for_user("policy_sw") if t.instance_id == case.id)
    demo.complete(approve.id, {"decision": "reject", "reject_reason": "保费未实缴",
                               "policy_explanation": "须已缴纳保费"}, "policy_sw")
    web = signed_in(demo, "enterprise")
    tree = lxml_html.fromstring(web.get(f"/instances/{case.id}").text)
    files = tree.get_element_by_id("files").text_content()
    assert "不予兑现告知书" in files and "不予受理" not in files
    [link] = tree.xpath("//section[@id='files']//tr[contains(., '不予兑现告知书')]"
                        "//a[@class='print-link']/@href")
    letter = lxml_html.fromstring(web.get(link).text).text_content()
    assert "惠企政策兑现申请不予兑现告知书" in letter and "不予受理" not in letter


def test_the_department_knows_the_enterprise_reads_its_opinion(demo: Engine) -> None:  # noqa: F811
    """审批意见 is part of the answer the enterprise reads: the approval form says so."""
    approve = next(t for t in demo.inbox.for_user("policy_sw") if t.name == "approve")
    form = lxml_html.fromstring(signed_in(demo, "policy_sw").get(f"/tasks/{approve.id}").text)
    [field] = form.xpath("//textarea[@id='f-opinion']/ancestor::div[contains(@class, 'field')]")
    assert "申请企业在其申请中可以看到审批意见" in field.text_content()
    demo.complete(approve.id, {"decision": "reject", "opinion": "经集体研究",
                               "reject_reason": "保费未实缴", "policy_explanation": "须已缴纳保费"},
                  "policy_sw")
    case = signed_in(demo, "enterprise").get(f"/instances/{approve.instance_id}").text
    assert "经集体研究" in case  # as the form said


def test_an_enterprise_is_at_home_in_its_applications(tmp_path: Path) -> None:
    """No procedure gives an enterprise a task: no inbox tabs (always 0) in its header, the
    inbox address leads to 我的申请, and an empty 我的申请 says where to apply. The staff keep
    their inbox, the window both."""
    engine = shipped_engine(tmp_path, FixedClock(at(SHIPPED_AT)))
    try:
        web = signed_in(engine, "enterprise")
        home = web.get("/")
        assert home.status_code == 302 and home.location == "/applications"
        page = lxml_html.fromstring(web.get("/applications").text)
        nav = page.xpath("//nav[@class='main']")[0]
        assert not nav.xpath(".//a[starts-with(@href, '/?') or @href='/']")
        assert not nav.xpath(".//*[@id='count-mine' or @id='nav-done']")
        assert nav.xpath(".//a[@id='nav-applications']")
        assert not nav.xpath(".//a[@href='/copies']")  # copies go to staff only
        missing = lxml_html.fromstring(web.get("/instances/999").text)
        [back] = missing.xpath("//a[@id='home']")  # not 返回待办: it has no inbox
        assert (back.get("href"), back.text_content()) == ("/applications", "返回我的申请")
        assert page.xpath("//*[@id='no-applications']")[0].text_content() == "还没有提交过申请。"
        assert [a.get("href") for a in page.xpath("//ul[@class='next-steps']//a")] == [
            "/policies", "/start"]
        window = signed_in(engine, "window")
        inbox = window.get("/")
        assert inbox.status_code == 200
        # its inbox is empty: it points to what a window does, filing and following
        steps = lxml_html.fromstring(inbox.text).xpath("//ul[@id='inbox-next-steps']//a")
        assert [(a.get("href"), a.text_content()) for a in steps] == [
            ("/applications", "查看已提交的申请及其办理结果"), ("/start", "代企业提交新的申请")]
        assert not signed_in(engine, "policy_sw").get("/").text.count("inbox-next-steps")
        staff_nav = lxml_html.fromstring(window.get("/applications").text).xpath(
            "//nav[@class='main']")[0]
        assert staff_nav.xpath(".//*[@id='count-mine']") and staff_nav.xpath(
            ".//a[@id='nav-applications']") and staff_nav.xpath(".//a[@id='nav-copies']")
    finally:
        engine.close()


def test_staff_are_told_the_applicant_reads_their_comments(demo: Engine) -> None:  # noqa: F811
    """An application's 办理经过 shows the staff's 意见 to the enterprise: the comment box
    says so on its cases, and only there (a clue's informant reads nothing of it)."""
    case = demo.start("subsidy_instant", {**APPLICATION, "policy_id": "JS-002"}, "enterprise")
    staff = signed_in(demo, "policy_sw").get(f"/instances/{case.id}").text
    assert 'id="comment-read-by-applicant"' in staff
    assert "申请企业可以在本案的办理经过中看到" in staff
    own = signed_in(demo, "enterprise").get(f"/instances/{case.id}").text
    assert 'id="comment-read-by-applicant"' not in own  # the applicant itself needs no warning
    clue = demo.inbox.page("intake").tasks[0].instance_id
    intake = signed_in(demo, "intake").get(f"/instances/{clue}").text
    assert 'id="op-comment"' in intake and 'id="comment-read-by-applicant"' not in intake


def paid_in_part(demo: Engine) -> tuple[int, str]:  # noqa: F811
    """JSJX-2026-000002 approved for 480,000 and paid 400,000, the department confirming the
    partial payout: the case and the 市政数局's step."""
    case = next(t.instance_id for t in demo.inbox.for_user("policy_sw") if t.name == "approve")
    approve = next(t.id for t in demo.inbox.for_user("policy_sw") if t.instance_id == case)
    demo.complete(approve, {"decision": "approve", "approved_amount": 480000}, "policy_sw")
    pay = next(t.id for t in demo.inbox.for_user("policy_sw") if t.instance_id == case)
    demo.complete(pay, {"paid_amount": 400000, "paid_on": "2026-09-30",
                        "payment_voucher": "SW-2026-0043", "notice_channel": "短信",
                        "partial_payment_confirmed": True}, "policy_sw")
    record = next(t.id for t in demo.inbox.for_user("data_bureau") if t.instance_id == case)
    return case, record


def test_the_applicant_does_not_read_the_staffs_working_fields(demo: Engine) -> None:  # noqa: F811
    case, _ = paid_in_part(demo)
    mine = signed_in(demo, "enterprise").get(f"/instances/{case}").text
    assert "400,000" in mine and "确认按低于核定金额兑付" not in mine
    assert "回溯到此" not in mine
    theirs = signed_in(demo, "policy_sw").get(f"/instances/{case}").text
    assert "确认按低于核定金额兑付" in theirs and "回溯到此" in theirs


def test_the_contact_and_the_account_read_alike_on_the_case_and_the_task(
        demo: Engine) -> None:  # noqa: F811
    """The 市政数局 records the result: it reads neither the contact nor the bank account, on
    its task page as on the case; the department that pays reads both."""
    case, record = paid_in_part(demo)
    web = signed_in(demo, "data_bureau")
    for page in (web.get(f"/instances/{case}").text, web.get(f"/tasks/{record}").text):
        assert "王经理" not in page and "0798-8888888" not in page
        assert "1234567890" not in page and "***" in page
    payer = signed_in(demo, "policy_sw").get(f"/instances/{case}").text
    assert "王经理" in payer and "中国银行景德镇分行 1234567890" in payer
