"""The Content-Security-Policy (web/security.py) in the real browser: the inbox, a case page
with its diagram, the modeler and its form editor work under it, and Chromium reports no
violation (a ``securitypolicyviolation`` event, or a console message about the policy).

Skipped, with the reason, when Chromium, Playwright or the npm files are missing, unless
KUAIBAN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.definitions.validation import SourceFile
from tests.browser_support import Server, chromium, serve, sign_in
from tests.test_browser_modeler import DEMO, MODELER_JS
from tests.test_ui_support import frozen, make_engine

NPM = "bpmn-js is not installed: run scripts/setup-frontend"
# Every violation, as the page itself sees it (added before any script of the page runs).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')
                    + ':' + (e.lineNumber || ''));
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium((MODELER_JS, NPM)) as launched:
        yield launched


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path, clock)
    engine.deploy([SourceFile("modeler_demo.bpmn", DEMO)])  # a diagram with its drawing
    yield from serve(engine, clock)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    pg = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    pg.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text
          else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.csp_console = console
    yield pg
    context.close()
    assert console == [], f"CSP violations in the console: {console}"
    assert errors == [], f"JavaScript errors: {errors}"


def violations(page: Any) -> list[str]:
    found: list[str] = page.evaluate("window.__csp || []")
    return found


def test_the_pages_work_under_the_policy_with_no_violation(page: Any, server: Server) -> None:
    instance_id = server.engine.start("modeler_demo", {}, "li").id
    sign_in(page, server, "li")
    assert page.locator("#inbox tr.task").count() == 1  # the inbox
    assert violations(page) == []

    page.goto(f"{server.url}/instances/{instance_id}")  # a case with its diagram
    page.wait_for_selector("#diagram svg .djs-element[data-element-id=propose]")
    assert violations(page) == []

    sign_in(page, server, "design")  # the modeler
    page.goto(server.url + "/designer/modeler/modeler_demo/v1")
    page.wait_for_selector("#modeler[data-ready=true]")
    page.wait_for_selector("#problems[data-state=ok]")
    assert page.locator(".djs-element[data-element-id=approve]").count() == 1
    assert violations(page) == []

    page.click("#form-list [data-form=test_propose]")  # the form editor and its preview
    page.wait_for_selector("#form-preview[data-form=test_propose][data-state=ready]")
    page.locator("#form-preview form input, #form-preview form select").first.press("Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith("/designer/modeler/modeler_demo/v1")  # the preview never posts
    assert violations(page) == []


def test_an_inline_script_would_be_refused(page: Any, server: Server) -> None:
    """The check above can fail: an inline script is refused and reported."""
    page.goto(server.url + "/login")
    page.evaluate("""() => { const s = document.createElement('div');
        s.innerHTML = '<img src=x onerror="window.__ran = 1">';
        document.body.appendChild(s); }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in violations(page))
    page.csp_console.clear()  # expected here
