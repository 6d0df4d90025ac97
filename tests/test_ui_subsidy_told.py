"""What the enterprise is told on its own pages (我的申请 and its case page): an amount
approved below the one applied for with the department's reason, the materials a department
asked for at once (退回补正) and its 补正材料 task, a commitment found untrue with the credit
record and the way to 信用修复, and 撤回申请 while its application awaits a decision."""

from __future__ import annotations

from lxml import html as lxml_html

from engine.api import Engine
from tests.demo_support import demo, signed_in  # noqa: F401  # fixture

ASKED = "1. 2026年出口信用保险保费发票；\n2. 银行开户许可证。"


def case_at(engine: Engine, user: str, element: str) -> tuple[int, str]:
    """(case, task) of ``user``'s open ``element`` task in the demo."""
    found = next(t for t in engine.inbox.for_user(user) if t.name == element)
    return found.instance_id, found.id


def page(engine: Engine, user: str, path: str) -> lxml_html.HtmlElement:
    answer = signed_in(engine, user).get(path)
    assert answer.status_code == 200, answer.text
    return lxml_html.fromstring(answer.text)


def text(tree: lxml_html.HtmlElement, xpath: str) -> str:
    return " ".join(e.text_content() for e in tree.xpath(xpath))


def test_a_reduced_amount_is_shown_with_its_reason(demo: Engine) -> None:  # noqa: F811
    case, approve = case_at(demo, "policy_sw", "approve")  # 480,000 applied for
    demo.complete(approve, {"decision": "approve", "approved_amount": 400000,
                            "opinion": "其中80,000元保费不属本年度，予以核减。"}, "policy_sw")
    row = text(page(demo, "enterprise", "/applications"), f"//tr[@data-instance='{case}']")
    assert "核定兑现金额：400,000元（申请金额 480,000元）" in row
    assert "核减理由：其中80,000元保费不属本年度，予以核减。" in row
    told = text(page(demo, "enterprise", f"/instances/{case}"), "//section[@id='outcome']")
    assert "审核通过，待兑付" in told and "核减理由：其中80,000元保费不属本年度" in told


def test_missing_materials_are_told_and_supplied_from_the_case_page(
        demo: Engine) -> None:  # noqa: F811
    case, approve = case_at(demo, "policy_sw", "approve")
    web = signed_in(demo, "policy_sw")
    sent = web.post(f"/tasks/{approve}", data={"decision": "supplement",
                                               "supplement_items": ASKED})
    assert sent.status_code == 302, sent.text
    row = text(page(demo, "enterprise", "/applications"), f"//tr[@data-instance='{case}']")
    assert "材料不全，需补正" in row and "银行开户许可证" in row
    tree = page(demo, "enterprise", f"/instances/{case}")
    [go] = tree.xpath("//section[@id='outcome']//a[text()='去补正']")
    assert "2026年出口信用保险保费发票" in text(tree, "//section[@id='outcome']")
    form = page(demo, "enterprise", go.get("href"))
    assert "银行开户许可证" in text(form, "//*[@data-field='supplement_items']")
    # its own task, given to it by name: no staff operations, nothing to put back
    assert "其他操作" not in text(form, "//main") and "取消认领" not in text(form, "//main")
    done = signed_in(demo, "enterprise").post(go.get("href"), data={
        "requested_amount": "480000", "application_summary": "补齐保费发票和开户许可证",
        "supplement_note": "已按清单补齐两项材料"})
    assert done.status_code == 302, done.text
    assert [t.name for t in demo.instance(case).tasks] == ["approve"]
    assert not page(demo, "enterprise", f"/instances/{case}").xpath("//section[@id='outcome']")


def test_an_untrue_commitment_is_told_with_its_record_and_the_way_to_repair(
        demo: Engine) -> None:  # noqa: F811
    case, review = case_at(demo, "policy_gx", "review")
    form = text(page(demo, "policy_gx", f"/tasks/{review}"), "//main")
    assert "记入企业信用记录" in form  # 否 says what it does
    demo.complete(review, {"review_method": "现场勘查", "review_date": "2026-09-30",
                           "reviewers": "李工、王工", "site_address": "珠山区某路1号",
                           "findings": "查看生产线和生产记录", "commitment_consistent": False,
                           "untrue_facts": "生产线尚未投产，与承诺的已投产不符"}, "policy_gx")
    told = text(page(demo, "enterprise", f"/instances/{case}"), "//section[@id='outcome']")
    assert "生产线尚未投产" in told and "将由市发改委记入贵企业信用记录" in told
    listing = next(t.id for t in demo.inbox.for_user("credit_fgw") if t.instance_id == case)
    demo.complete(listing, {"credit_record_no": "JDZ-XY-2026-0107", "listed_on": "2026-09-30",
                            "publicity_channels": ["市公共信用信息平台"],
                            "joint_punishment_pushed": True}, "credit_fgw")
    for tree in (page(demo, "enterprise", "/applications"),
                 page(demo, "enterprise", f"/instances/{case}")):
        [record] = tree.xpath("//div[contains(@class, 'credit-record')]")
        said = record.text_content()
        assert "市发改委已将不实承诺记入贵企业信用记录" in said and "JDZ-XY-2026-0107" in said
        [repair] = record.xpath(".//a[@class='repair']")
    start = page(demo, "enterprise", repair.get("href"))
    assert start.xpath("//input[@name='record_no']/@value") == ["JDZ-XY-2026-0107"]
    assert start.xpath("//select[@name='record_type']/option[@selected]/@value") == [
        "虚假承诺黑名单"]
    # the window clerk reads the case but starts no 信用修复: told where, not linked
    staff = page(demo, "window", "/applications").xpath("//div[contains(@class, 'credit-record')]")
    assert staff == [] or not staff[0].xpath(".//a[@class='repair']")


def test_the_enterprise_withdraws_its_application_from_its_case_page(
        demo: Engine) -> None:  # noqa: F811
    case, _ = case_at(demo, "policy_sw", "approve")
    tree = page(demo, "enterprise", f"/instances/{case}")
    [form] = tree.xpath("//section[@id='withdraw-application']//form")
    done = signed_in(demo, "enterprise").post(form.get("action"),
                                              data={"reason": "已申请同类政策，撤回本申请"})
    assert done.status_code == 302
    assert demo.instance(case).status == "cancelled"
    tree = page(demo, "enterprise", f"/instances/{case}")
    assert not tree.xpath("//section[@id='withdraw-application']")
    timeline = text(tree, "//ol[@class='timeline']")
    assert "申请人撤回申请" in timeline and "已申请同类政策，撤回本申请" in timeline
    # staff are not offered it
    assert not page(demo, "policy_sw", f"/instances/{case}").xpath(
        "//section[@id='withdraw-application']")
