"""A crawl of the demo in Chinese: every demo role signs in and follows the same-site links of
its pages (a few of each URL pattern). No page may fail with a 5xx, show a raw key (process
keys, snake_case data keys, ``\\u`` escapes, ISO timestamps) or English outside the allow-list
(brands, units of measure, usernames, case numbers, English set small under Chinese)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from lxml import html as lxml_html

from engine.api import Engine
from tests.demo_support import demo_engine
from tests.test_ui_support import make_app
from web.demo import DEMO_PASSWORD, DEMO_USERS

PER_PATTERN = 2  # pages visited per URL pattern (ids normalised)
SKIP = re.compile(r"^/(logout|static/|files/|documents/.+/download)|[?&]format=")
ID = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{64})(?=/|$)")
USERNAMES = {u[0] for u in DEMO_USERS}
# English that belongs on a Chinese page: brands, file formats and units, protocol names, the
# keys as the keyboard names them (Ctrl +, Shift 1)
ALLOWED = {"Kuaiban", "BPMN", "DMN", "PDF", "xlsx", "csv", "CSV", "docx", "API", "ID", "JSON",
           "Schema", "OpenAPI", "Excel", "Word", "Office", "App", "URL", "KB", "MB", "GB", "SVG",
           "PNG", "bpmn", "dmn", "json", "zip", "Ctrl", "Shift"}
# examples in the placeholders of key fields (keys are ASCII by rule)
EXAMPLE_KEYS = {"clue_verify", "my_process"}
# codes with digits: case numbers, credit codes, policy ids, vouchers (ZF-2026-000001, JS-002)
CODE = re.compile(r"\b[A-Za-z0-9-]*\d[A-Za-z0-9-]*\b")
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")  # single letters are labels (A, B, T)
RAW = (
    (re.compile(r"\\u[0-9a-fA-F]{4}"), "a \\u escape"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO timestamp"),
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "a snake_case key"),
)
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label")


def visible_text(page: str) -> list[str]:
    """The texts a reader sees: element text (not script, style or template) and the
    attributes shown as tooltips or hints. English set in ``<small lang="en">`` under a
    Chinese message is deliberate and left out."""
    tree = lxml_html.fromstring(page)
    for hidden in tree.xpath("//script|//style|//template|//pre|//code|//body//*[@lang='en']"):
        hidden.drop_tree()
    texts = [t.strip() for t in tree.xpath("//body//text()") if t.strip()]
    for name in VISIBLE_ATTRIBUTES:
        texts += [v.strip() for v in tree.xpath(f"//body//@{name}") if v.strip()]
    return texts


def problems_in(text: str) -> list[str]:
    found = [f"{what}: {m.group(0)!r}" for pattern, what in RAW for m in pattern.finditer(text)
             if m.group(0) not in USERNAMES | EXAMPLE_KEYS]
    bare = CODE.sub(" ", text)
    found += [f"English: {w!r}" for w in WORD.findall(bare)
              if w not in ALLOWED and w not in USERNAMES and "_" not in w]
    return found


def links(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    out = []
    for href in tree.xpath("//a/@href"):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(url):
            out.append(url)
    return out


def pattern_of(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=", 1)[0] for k in parts.query.split("&") if k)
    return ID.sub("/{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(client: FlaskClient, start: str = "/") -> dict[str, list[str]]:
    """Problems by URL for every page reached from ``start``."""
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    queue, report = [start], {}
    while queue:
        url = queue.pop(0)
        pattern = pattern_of(url)
        if url in seen or per_pattern[pattern] >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[pattern] += 1
        response = client.get(url, follow_redirects=True)
        if response.status_code >= 500:
            report[url] = [f"HTTP {response.status_code}"]
            continue
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        found = [p for text in visible_text(page) for p in problems_in(text)]
        if found:
            report[url] = sorted(set(found))
        queue += links(page)
    return report


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine, _ = demo_engine(tmp_path_factory.mktemp("crawl"))
    return engine


def test_the_checks_catch_what_they_look_for() -> None:
    assert problems_in("subsidy_instant 已提交") == ["a snake_case key: 'subsidy_instant'"]
    assert problems_in("2026-12-06T09:00:00+08:00") == ["an ISO timestamp: '2026-12-06T09:00'"]
    assert problems_in("Submit") == ["English: 'Submit'"]
    assert problems_in("ZF-2026-000001 · intake_fl · 导出 xlsx") == []
    page = ('<html><body><p title="Close">中文<small lang="en">Saved</small></p>'
            '<script>var x = "hidden"</script></body></html>')
    assert visible_text(page) == ["中文", "Close"]


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_demo_role_sees_chinese_pages_without_raw_keys(demo: Engine,
                                                             username: str) -> None:
    client = make_app(demo).test_client()
    signed_in = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    before = demo.user(username).language
    report = crawl(client)
    report.update(crawl(client, "/lang/en?next=/"))  # following it changes nothing
    assert report == {}, "\n".join(f"{u}: {'; '.join(p)}" for u, p in report.items())
    assert demo.user(username).language == before


def test_person_fields_show_the_person(demo: Engine) -> None:
    """A clue's 专人管理 holds a username: the case shows who it is by name and unit, as the
    history does, not by the username."""
    client = make_app(demo).test_client()
    client.post("/login", data={"username": "intake", "password": DEMO_PASSWORD})
    tree = lxml_html.fromstring(client.get("/instances/1").get_data(as_text=True))
    rows = {dt.text_content(): dt.getnext().text_content()
            for dt in tree.xpath("//dl[@class='data']//dt")}
    assert rows["专人管理（台账责任人）"] == "受理员 李明（市纪委信访室）"
