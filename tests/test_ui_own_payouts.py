"""免申即享 on the enterprise's pages: a row of 我的申请 per item of a batch (marked as needing no
application), the page of its own item, its 兑付通知书 to print and download, and the paid
notice that opens it; never another enterprise's name or amount, the department's basis or
comments, or the batch's case."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from lxml import html as lxml_html

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.process_helpers import at
from tests.test_own_payouts import JIA, OWN, YI, confirmed, others_of, pay
from tests.test_own_payouts import world as world  # fixture
from tests.test_ui_support import choose_language, make_app
from web.ui.auth import session_values

COMMENT = "内部意见：乙公司材料待核"
SECRETS = [*others_of(JIA), "80000.5", "80,000.50", "内部比对", COMMENT, "gxj", "PZ-2"]


def browser(engine: Engine, username: str) -> FlaskClient:
    """Signed in as ``username`` (the world's users have no passwords)."""
    client = make_app(engine).test_client()
    with client.session_transaction() as session:
        session.update(session_values(engine.user(username)))
    return client


def main_text(page: str) -> str:
    return str(lxml_html.fromstring(page).xpath("//main")[0].text_content())


def paid_batch(engine: Engine, clock: FixedClock) -> int:
    """A batch whose 甲 is paid (with a notice text) and 乙 paid too, a staff comment on it."""
    view = confirmed(engine)
    engine.ops.comment(view.id, "gxj", COMMENT)
    clock.set(at("2026-10-08T10:00:00+08:00"))
    pay(engine, JIA, "PZ-1", paid_amount=95000.5, notice_text="请贵单位财务核对到账情况。")
    pay(engine, YI, "PZ-2")
    return view.id


@OWN
def test_my_applications_lists_each_batch_as_a_row_needing_no_application(
        world: Engine, clock: FixedClock) -> None:
    view = confirmed(world)
    web = browser(world, "jia")
    page = web.get("/applications")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    [row] = tree.xpath("//table[@id='applications']//tr[@data-instance]")
    assert row.get("class") == "automatic open"
    assert row.xpath(".//a/@href") == [f"/applications/payouts/{view.id}"]  # not the case
    text = " ".join(row.text_content().split())
    assert "免申即享 · 无需申请" in text and view.data["policy_name"] in text
    assert "待兑付" in text and "应于 2026-10-08 17:30 前兑付到位。" in text

    clock.set(at("2026-10-08T10:00:00+08:00"))
    pay(world, JIA, "PZ-1", paid_amount=95000.5)
    row = lxml_html.fromstring(web.get("/applications").text).xpath(
        "//tr[@data-instance]")[0]
    text = " ".join(row.text_content().split())
    assert "已兑付" in text and "兑付金额：95,000.50元" in text and "拨付日期：2026-09-30" in text
    page_text = main_text(web.get("/applications").text)
    for secret in SECRETS:
        assert secret not in page_text, secret
    choose_language(web)
    english = " ".join(main_text(web.get("/applications").text).split())
    assert "Automatic · no application needed" in english and "Paid" in english


@OWN
def test_the_payout_page_shows_the_enterprises_own_item_alone(
        world: Engine, clock: FixedClock) -> None:
    batch = paid_batch(world, clock)
    page = browser(world, "jia").get(f"/applications/payouts/{batch}")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.text)
    text = " ".join(main_text(page.text).split())
    for shown in (JIA["name"], JIA["credit_code"], "MS-001", "市工信局", "95,000.50元",
                  "2026-09-30", "PZ-1", "请贵单位财务核对到账情况。", "景惠企兑〔2026〕1号",
                  "免申即享", "无需申请"):
        assert shown in text, shown
    for secret in SECRETS:
        assert secret not in text, secret
    hrefs = tree.xpath("//main//a/@href")
    assert not [h for h in hrefs if h.startswith(("/instances/", "/tasks/"))]
    assert any(re.fullmatch(rf"/applications/payouts/{batch}/letters/[0-9a-f]{{64}}", h)
               for h in hrefs)
    # another enterprise finds no such page; the department's people (and the wrong
    # department's) have the case page, not the enterprise's
    assert browser(world, "wai").get(f"/applications/payouts/{batch}").status_code == 404
    for staff in ("gxj", "swj"):
        assert browser(world, staff).get(f"/applications/payouts/{batch}").status_code == 403
    assert browser(world, "jia").get(f"/instances/{batch}").status_code == 404


@OWN
def test_the_letter_prints_and_downloads_for_its_enterprise_only(
        world: Engine, clock: FixedClock) -> None:
    batch = paid_batch(world, clock)
    [jia], [yi] = (world.own_payouts.in_batch(batch, u) for u in ("jia", "yi"))
    assert jia.letter and yi.letter
    web = browser(world, "jia")
    path = f"/applications/payouts/{batch}/letters/{jia.letter.sha256}"
    sheet = web.get(path)
    assert sheet.status_code == 200
    tree = lxml_html.fromstring(sheet.text)
    letter = tree.get_element_by_id("document").text_content()
    assert "惠企政策“免申即享”资金兑付通知书" in letter and "景惠企兑〔2026〕1号" in letter
    assert f"{JIA['name']}（统一社会信用代码：{JIA['credit_code']}）" in letter
    assert "95,000.50" in letter and YI["name"] not in letter
    assert tree.xpath("//nav[@class='toolbar']/a[1]/@href") == [f"/applications/payouts/{batch}"]
    assert "返回兑付详情" in tree.xpath("//nav[@class='toolbar']")[0].text_content()
    word = web.get(path + "/docx")
    assert word.status_code == 200 and word.data[:2] == b"PK"
    assert "attachment" in word.headers["Content-Disposition"]
    # 乙's letter is not 甲's to read, whatever the address
    assert web.get(f"/applications/payouts/{batch}/letters/{yi.letter.sha256}").status_code \
        == 404
    assert browser(world, "yi").get(path + "/docx").status_code == 404
    assert browser(world, "gxj").get(path).status_code == 403


@OWN
def test_the_paid_notice_opens_the_enterprises_own_payout(
        world: Engine, clock: FixedClock) -> None:
    batch = paid_batch(world, clock)
    web = browser(world, "jia")
    [note] = world.notifications.for_user("jia")
    listed = web.get("/notifications").text
    assert f"/notifications/{note.id}/open" in listed and "查看办理结果" in listed
    opened = web.get(f"/notifications/{note.id}/open")
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/applications/payouts/{batch}"
