"""Helpers for the real-browser tests (no tests here): Debian's Chromium through Playwright's
sync API, and a real server (werkzeug on 127.0.0.1, a thread) with CSRF on.

What a browser test needs but does not find (Chromium, Playwright, node_modules, a font) skips
it with the reason, unless KUAIBAN_REQUIRE_BROWSER=1 (CI), where it fails instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.test_ui_support import PASSWORD, make_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("KUAIBAN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (KUAIBAN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@contextmanager
def chromium(*needed: tuple[Path, str]) -> Iterator[Any]:
    """Chromium, launched headless; ``needed`` are files the tests load into it, each with
    what to say when it is missing."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    for path, reason in needed:
        if not path.is_file():
            unavailable(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Server:
    url: str
    engine: Engine
    clock: FixedClock


def serve(engine: Engine, clock: FixedClock) -> Iterator[Server]:
    """Serve ``engine`` until the generator is closed (a fixture yields from it), then close
    the engine."""
    app = make_app(engine, csrf=True)  # the real thing: CSRF on
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{server.server_port}", engine, clock)
    finally:
        server.shutdown()
        thread.join(5)
        engine.close()


def sign_in(page: Any, server: Server, username: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/login")
    if page.locator("form[action='/logout'] button").count():
        page.click("form[action='/logout'] button")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module (the fixture the browser tests share)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop page in the zh-CN locale, closed with its context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A page as a phone shows it (390 px wide, zh-CN), closed with its context."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True)
    yield context.new_page()
    context.close()


@contextmanager
def error_watched_page(browser: Any, **options: Any) -> Iterator[Any]:
    """A page of a new context (``options`` as Playwright's ``new_context``) whose script
    errors and Content Security Policy violations fail the test once the context closes."""
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text)
          if "Content Security Policy" in m.text else None)  # web/security.py
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


@pytest.fixture(name="page")
def csp_watched_page(browser: Any) -> Iterator[Any]:
    """The same page, and the test fails on any Content Security Policy violation its pages
    report (web/security.py). A module imports it to have it as its ``page``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    violations: list[str] = []
    pg.on("console", lambda m: violations.append(m.text)
          if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert violations == [], f"CSP violations: {violations}"
