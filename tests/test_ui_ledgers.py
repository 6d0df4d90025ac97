"""Ledger pages: the table, filters, downloads, and who may read them."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.api import Engine
from tests.test_ledger import two_cases  # noqa: F401 - the fixture
from tests.test_process_clue_triage import FULIANG
from tests.test_ui_support import PASSWORD, login, make_app


def client_for(engine: Engine, username: str, roles: list[str],
               unit: str | None = None) -> FlaskClient:
    engine.add_user(username, roles, unit=unit, password=PASSWORD)
    client = make_app(engine).test_client()
    login(client, username)
    return client


def test_ledger_page_lists_cases_with_deadlines(two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    page = client.get("/ledgers/clue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ZF-2026-000001" in html and "ZF-2026-000002" in html
    assert "否（超期）" in html
    only = client.get("/ledgers/clue", query_string={"unit": FULIANG}).get_data(as_text=True)
    assert "ZF-2026-000001" in only and "ZF-2026-000002" not in only
    assert client.get("/ledgers/clue?month=2026-13").status_code == 400
    assert client.get("/ledgers/nope").status_code == 404


def test_ledger_downloads(two_cases: Engine) -> None:  # noqa: F811
    client = client_for(two_cases, "shen", ["auditor"])
    xlsx = client.get("/ledgers/clue?format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value == "ZF-2026-000001"
    csv = client.get("/ledgers/clue?format=csv")
    assert csv.data.decode("utf-8-sig").splitlines()[1].startswith("ZF-2026-000001")


def test_ledger_denied_and_narrowed(two_cases: Engine) -> None:  # noqa: F811
    intake = client_for(two_cases, "lu", ["intake"])
    assert intake.get("/ledgers/clue").status_code == 403
    handler = client_for(two_cases, "ma", ["handler"], unit=FULIANG)
    html = handler.get("/ledgers/clue").get_data(as_text=True)
    assert "ZF-2026-000001" in html and "ZF-2026-000002" not in html
