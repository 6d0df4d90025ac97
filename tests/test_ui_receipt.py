"""受理回执: filing a subsidy application issues the receipt the window hands to the
enterprise; the flash after filing and the case page offer to print it, to whoever may read
the case (the enterprise by its 统一社会信用代码), through the documents' print view."""

from __future__ import annotations

from lxml import html as lxml_html

from engine.api import Engine
from tests.demo_support import APPLICATION, demo, signed_in  # noqa: F401  # fixture
from web.demo import DEMO_PASSWORD

FORM = {**{k: str(v) for k, v in APPLICATION.items() if k != "channel"}, "policy_id": "JS-002"}


def file_at_the_window(demo: Engine) -> tuple[int, str]:  # noqa: F811
    """The window files for the demo enterprise through the start page: the case and the
    link the flash after filing gives to print its receipt."""
    web = signed_in(demo, "window")
    page = web.post("/start/subsidy_instant", data=FORM, follow_redirects=True)
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    [flash] = tree.xpath("//div[contains(@class, 'flash') and contains(@class, 'success')]")
    [link] = flash.xpath(".//a[@id='flash-print-receipt']")
    assert link.text == "打印受理回执" and link.get("target") == "_blank"
    instance_id = int(page.request.path.rsplit("/", 1)[1])
    business_key = demo.instance(instance_id).business_key
    assert flash.text_content().startswith(f"已发起：惠企政策兑现：即申即享 {business_key}。"
                                           "已出具受理回执 景惠企受〔2026〕")
    return instance_id, str(link.get("href"))


def test_filing_at_the_window_offers_the_receipt_to_print(demo: Engine) -> None:  # noqa: F811
    instance_id, link = file_at_the_window(demo)
    web = signed_in(demo, "window")
    case = lxml_html.fromstring(web.get(f"/instances/{instance_id}").text)
    [beside] = case.xpath("//a[@id='print-receipt']")  # beside 打印办理单
    assert beside.get("href") == link and beside.text == "打印受理回执"
    sheet = web.get(link)
    assert sheet.status_code == 200
    printed = lxml_html.fromstring(sheet.text).get_element_by_id("document")
    # its facts in a table whose columns are as wide as in Word (a third for the labels)
    assert printed.xpath(".//table[@class='fixed']/colgroup/col/@class") == [
        "width-35", "width-65"]
    text = printed.text_content()
    business_key = demo.instance(instance_id).business_key
    for said in ("惠企政策兑现申请受理回执", business_key, "景德镇某瓷业有限公司",
                 "91360200MA35B0001M", "36,000.00元", "2026年9月30日15时00分",
                 "市商务局于2026年10月10日前作出审批决定（3个工作日）",
                 "卫敏（景德镇市惠企政策兑现专窗）",
                 "“我的申请”中查看", "咨询电话 0798-8222345"):
        assert said in text, said


def test_the_receipt_prints_for_those_who_read_the_case(demo: Engine) -> None:  # noqa: F811
    """Who may print it is who may read the case: the clerk, the enterprise it was filed for
    (its users, by the 统一社会信用代码), the deciding department, auditors; not another
    department nor another enterprise."""
    instance_id, link = file_at_the_window(demo)
    demo.add_user("qiye_b", ["enterprise"], credit_code="91360200MA35B0001M",
                  password=DEMO_PASSWORD)
    demo.add_user("qiye_x", ["enterprise"], credit_code="91360200MA35A0001X",
                  password=DEMO_PASSWORD)
    for reader in ("window", "enterprise", "qiye_b", "policy_sw", "auditor"):
        web = signed_in(demo, reader)
        assert web.get(link).status_code == 200, reader
        case = lxml_html.fromstring(web.get(f"/instances/{instance_id}").text)
        assert [a.get("href") for a in case.xpath("//a[@id='print-receipt']")] == [link], reader
    for outsider in ("policy_gx", "qiye_x", "intake"):
        assert signed_in(demo, outsider).get(link).status_code == 404, outsider


def test_a_case_without_a_receipt_offers_none(demo: Engine) -> None:  # noqa: F811
    """A clue has no 受理回执: its page offers 打印办理单 alone."""
    web = signed_in(demo, "intake")
    clue = next(i for i in demo.instance_ids() if demo.instance(i).process_key == "clue_triage")
    case = lxml_html.fromstring(web.get(f"/instances/{clue}").text)
    assert case.xpath("//a[@id='print-sheet']") and not case.xpath("//a[@id='print-receipt']")
