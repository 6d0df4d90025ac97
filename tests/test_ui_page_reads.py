"""A page view reads in one transaction (web/app.py enters Engine.reading for each request):
before, each of the engine's reads behind a task page began its own, some thirty of them. A file
streamed after the view has returned still reads its chunks."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from engine.api import Engine
from engine.files import blobs
from tests.conftest import diagram_files
from tests.files_support import pdf
from tests.process_helpers import clue_files
from tests.test_shared_reads import begins
from tests.test_ui_support import login, make_app
from web import tokens

SUMMARY = {"summary": "拖延办理营业执照", "unit": "浮梁县纪委监委"}


@pytest.fixture
def client(people: Engine) -> FlaskClient:
    people.deploy(diagram_files("approval.bpmn"))
    web = make_app(people).test_client()
    login(web, "li", "pw-li")
    return web


def test_a_page_view_reads_in_one_transaction(people: Engine, client: FlaskClient) -> None:
    case = people.start("approval", SUMMARY, "li")
    task = case.tasks[0].id
    bearer = {"Authorization": "Bearer " + tokens.issue("test-secret", "li")}
    pages = {"/": {}, f"/tasks/{task}": {}, f"/instances/{case.id}": {},
             "/api/v1/tasks": bearer, f"/api/v1/instances/{case.id}": bearer}
    for page, headers in pages.items():  # what a first view records (notices read) is done
        assert client.get(page, headers=headers).status_code == 200, page
    begun = begins(people)
    counted = {}
    for page, headers in pages.items():
        before = begun()
        assert client.get(page, headers=headers).status_code == 200, page
        counted[page] = begun() - before
    assert counted == dict.fromkeys(pages, 1)


def test_a_page_shows_what_it_wrote(people: Engine, client: FlaskClient) -> None:
    """Opening a task marks its notices read (a write), then the page draws the bell: its
    count leaves them out, as the page's reads after the write begin anew."""
    people.accounts.set_password("wang", "pw-approver")
    case = people.start("approval", SUMMARY, "li")
    people.complete(case.tasks[0].id, {"proposal": "转办"}, "li")
    assert people.notifications.unread_count("wang") == 1
    web = make_app(people).test_client()
    login(web, "wang", "pw-approver")
    assert 'id="bell-count">1<' in web.get("/").text
    [approve] = people.inbox.for_user("wang")
    assert 'id="bell-count"' not in web.get(f"/tasks/{approve.id}").text


def test_a_file_of_several_chunks_streams_after_the_view(people: Engine) -> None:
    people.deploy(clue_files())
    content = pdf("证据" * blobs.CHUNK)  # three chunks
    assert len(content) > 2 * blobs.CHUNK
    started = people.start("clue_triage", {
        "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
        "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
        "summary": "拖延办理施工许可", "owner": "li"}, "li")
    web = make_app(people).test_client()
    login(web, "li", "pw-li")
    bearer = {"Authorization": "Bearer " + tokens.issue("test-secret", "li")}
    added = web.post(f"/api/v1/instances/{started.id}/attachments", headers=bearer,
                     data={"files": [(io.BytesIO(content), "材料.pdf")]},
                     content_type="multipart/form-data")
    assert added.status_code == 201, added.text
    sha = added.get_json()["attachments"][0]["sha256"]
    for path in (f"/instances/{started.id}/files/{sha}", f"/api/v1/attachments/{sha}"):
        response = web.get(path, headers=bearer)
        assert response.status_code == 200 and response.data == content, path
