"""免申即享 through the JSON API: an enterprise's applications list its items of batches, and
GET /applications/payouts/{id} (with its letter) answers its own item alone, as the pages do
(tests/test_ui_own_payouts.py)."""

from __future__ import annotations

import json

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_api import _validate
from tests.test_api_helpers import api_of, error_of
from tests.test_own_payouts import JIA, OWN, YI, confirmed
from tests.test_own_payouts import world as world  # fixture
from tests.test_ui_own_payouts import SECRETS, paid_batch


@OWN
def test_an_enterprise_reads_its_own_payout_and_letter(world: Engine, clock: FixedClock
                                                       ) -> None:
    batch = paid_batch(world, clock)
    api = api_of(world)
    doc = api.get("/openapi.json").get_json()
    listed = api.get("/applications", "jia")
    assert listed.status_code == 200
    [row] = listed.get_json()["applications"]
    _validate(doc, "ApplicationList", listed.get_json())
    assert (row["instance_id"], row["outcome"], row["paid_amount"], row["open_tasks"]) == (
        batch, "已兑付", 95000.5, [])
    assert row["payout"]["status"] == "paid"

    answer = api.get(f"/applications/payouts/{batch}", "jia")
    assert answer.status_code == 200
    body = answer.get_json()
    _validate(doc, "OwnPayoutList", body)
    [mine] = body["payouts"]
    assert (mine["name"], mine["credit_code"], mine["paid_amount"], mine["paid_on"],
            mine["payment_voucher"], mine["notice_text"]) == (
        JIA["name"], JIA["credit_code"], 95000.5, "2026-09-30", "PZ-1",
        "请贵单位财务核对到账情况。")
    for text in (json.dumps(body, ensure_ascii=False),
                 json.dumps(listed.get_json(), ensure_ascii=False)):
        for secret in SECRETS:
            assert secret not in text, secret
    letter = api.client.get(mine["letter"]["url"], headers=api.headers("jia"))
    assert letter.status_code == 200 and letter.data[:2] == b"PK"
    assert letter.mimetype == ("application/vnd.openxmlformats-officedocument."
                               "wordprocessingml.document")


@OWN
def test_no_one_else_reads_an_enterprises_payout(world: Engine, clock: FixedClock
                                                 ) -> None:
    batch = paid_batch(world, clock)
    api = api_of(world)
    [yi] = world.own_payouts.in_batch(batch, "yi")
    assert yi.letter is not None
    mine = f"/applications/payouts/{batch}"
    assert error_of(api.get(mine, "wai"), 404)["code"] == "not_found"  # another enterprise
    assert error_of(api.get(mine), 401)
    for staff in ("gxj", "swj", "sjj"):  # the department's, another department's, the bureau's
        assert error_of(api.get(mine, staff), 403)["code"] == "permission_denied"
    # 乙's letter under the batch is not 甲's
    assert error_of(api.get(f"{mine}/letters/{yi.letter.sha256}", "jia"), 404)
    assert error_of(api.get(f"{mine}/letters/{yi.letter.sha256}", "gxj"), 403)
    assert error_of(api.get(f"/instances/{batch}", "jia"), 404)  # nor the batch's case


@OWN
def test_an_open_payout_is_answered_without_a_letter(world: Engine) -> None:
    view = confirmed(world)
    [mine] = api_of(world).get(f"/applications/payouts/{view.id}", "yi").get_json()["payouts"]
    assert (mine["status"], mine["name"], mine["letter"], mine["paid_amount"]) == (
        "open", YI["name"], None, None)
    assert mine["due_at"] == "2026-10-08T17:30:00+08:00"
