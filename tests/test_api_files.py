"""The API of case files: starting and completing with files (multipart: a JSON ``data`` part
plus file parts named by the form's file field), a case's attachments, downloads (always as
attachments, with their checked type, nosniff) and documents."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import pytest

from engine.api import Engine
from tests.files_support import HTML, pdf, png
from tests.process_helpers import clue_files, docx_text, handed_to_handler
from tests.test_api_helpers import Api, error_of, make_api

CLUE = {"channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "拖延办理施工许可", "owner": "li"}


@pytest.fixture
def api(people: Engine) -> Api:
    people.deploy(clue_files())
    return make_api(people)


def multipart(data: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    body: dict[str, Any] = {} if data is None else {"data": json.dumps(data, ensure_ascii=False)}
    body.update(parts)
    return {"data": body, "content_type": "multipart/form-data"}


def start_clue(api: Api, *files: tuple[bytes, str]) -> dict[str, Any]:
    response = api.post("/processes/clue_triage/instances", "li", **multipart(
        CLUE, evidence=[(io.BytesIO(c), n) for c, n in files]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_start_and_complete_with_files(api: Api) -> None:
    case = start_clue(api, (png(), "现场照片.png"), (pdf(), "举报材料.pdf"))
    listed = api.get(f"/instances/{case['id']}/attachments", "li").get_json()["attachments"]
    assert [(a["name"], a["field"], a["media_type"]) for a in listed] == [
        ("现场照片.png", "evidence", "image/png"), ("举报材料.pdf", "evidence", "application/pdf")]
    assert case["data"]["evidence"] == [a["sha256"] for a in listed]
    propose = case["tasks"][0]["id"]
    response = api.post(f"/tasks/{propose}/complete", "li", **multipart(
        {"disposal": "转办", "proposal_reason": "可查", "handler_unit": "浮梁县纪委监委"},
        revision=str(case["revision"])))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_multipart_mistakes_are_4xx_with_the_part_named(api: Api) -> None:
    path = "/processes/clue_triage/instances"
    error = error_of(api.post(path, "li", data={"data": "[1]"},
                              content_type="multipart/form-data"), 400)
    assert "data" in error["details"]
    error = error_of(api.post(path, "li", **multipart(CLUE, colour="red")), 400)
    assert "colour" in error["details"]
    error = error_of(api.post(path, "li", **multipart(CLUE, evidence=[
        (io.BytesIO(HTML), "a.pdf")])), 422)
    # a page named a.pdf: said to be no PDF, not a type that may not be uploaded
    assert "的内容不是有效的PDF，与文件名不符" in error["details"]["evidence"]
    error = error_of(api.post(path, "li", **multipart(CLUE, summary=(io.BytesIO(pdf()),
                                                                      "a.pdf"))), 422)
    assert error["details"] == {"summary": "此字段不接受文件"}


def test_attach_list_download_and_document(api: Api, people: Engine) -> None:
    case = start_clue(api, (pdf(), "举报 材料;\"x\".pdf"))
    path = f"/instances/{case['id']}/attachments"
    response = api.post(path, "li", data={"files": [(io.BytesIO(png()), "补充照片.png")]},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    [added] = response.get_json()["attachments"]
    assert (added["name"], added["field"], added["uploaded_by"]) == ("补充照片.png", None, "li")
    assert error_of(api.post(path, "li", json={"files": []}), 415)
    assert error_of(api.post(path, "li", data={"note": "x"},
                             content_type="multipart/form-data"), 400)

    first = api.get(path, "li").get_json()["attachments"][0]
    download = api.get(f"/attachments/{first['sha256']}", "li")
    assert download.status_code == 200 and download.data == pdf()
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote(first['name'], safe='')}" in disposition
    assert error_of(api.get(f"/attachments/{first['sha256']}", "qian"), 404)  # not their case
    assert error_of(api.get(f"/attachments/{'0' * 64}", "li"), 404)

    early = error_of(api.post(f"/instances/{case['id']}/documents", "sun",
                              json={"template": "duban_han"}), 409)
    assert "承办单位手头有本案待办事项" in early["message"]  # nothing to urge yet
    handed_to_handler(people, case["id"])
    issued = api.post(f"/instances/{case['id']}/documents", "sun",
                      json={"template": "duban_han"})
    assert issued.status_code == 201, issued.get_data(as_text=True)
    document = issued.get_json()["document"]
    assert document["doc_no"] == "景营商督〔2026〕1号" and document["document"] == "duban_han"
    content = api.get(document["url"].removeprefix("/api/v1"), "sun").data
    assert case["business_key"] in docx_text(content)
    assert error_of(api.post(f"/instances/{case['id']}/documents", "sun",
                             json={"template": "nope"}), 404)
    assert error_of(api.post(f"/instances/{case['id']}/documents", "audit",
                             json={"template": "duban_han"}), 403)
