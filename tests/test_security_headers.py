"""Response headers and cookies (web/security.py): the browser is told to refuse framing,
sniffing, foreign scripts and referrers; HSTS and the Secure session cookie come with https,
also behind a trusted reverse proxy, and never because a client says so."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from engine.api import Engine
from tests.test_ui_support import PASSWORD, make_app
from web.app import create_app
from web.security import CSP

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app

PATHS = ["/login", "/", "/no/such/page", "/static/css/kuaiban.css", "/api/v1/processes",
         "/api/v1/openapi.json", "/healthz"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_tells_the_browser_what_to_refuse(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert "unsafe-eval" not in CSP and "script-src 'self' 'unsafe-inline'" not in CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http


def _signed_in(app: Flask, **environ: str) -> tuple[str, str]:
    """(Set-Cookie of a sign-in, its Strict-Transport-Security header)."""
    client = app.test_client()
    response = client.post("/login", data={"username": "li", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.7"}, headers=environ)
    assert response.status_code == 302, response.text
    return response.headers["Set-Cookie"], response.headers.get("Strict-Transport-Security", "")


def test_over_plain_http_the_session_cookie_is_not_secure(eng: Engine) -> None:
    cookie, hsts = _signed_in(make_app(eng))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and hsts == ""


def test_a_forwarded_proto_from_an_untrusted_client_changes_nothing(eng: Engine) -> None:
    app = create_app(eng, secret_key="s", testing=True, trusted_proxies=0)
    app.config["WTF_CSRF_ENABLED"] = False
    cookie, hsts = _signed_in(app, **{"X-Forwarded-Proto": "https"})
    assert "Secure" not in cookie and hsts == ""


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(eng: Engine) -> None:
    app = create_app(eng, secret_key="s", testing=True, trusted_proxies=1)
    app.config["WTF_CSRF_ENABLED"] = False
    cookie, hsts = _signed_in(app, **{"X-Forwarded-Proto": "https",
                                      "X-Forwarded-For": "203.0.113.9"})
    assert "; Secure" in cookie and "HttpOnly" in cookie
    assert hsts.startswith("max-age=")


@pytest.mark.parametrize("proxies, seen", [(0, "10.0.0.7"), (1, "203.0.113.9")])
def test_the_client_address_is_the_trusted_proxy_word_for_it(
        eng: Engine, caplog: pytest.LogCaptureFixture, proxies: int, seen: str) -> None:
    app = create_app(eng, secret_key="s", testing=True, trusted_proxies=proxies)
    with caplog.at_level(logging.INFO, logger="kuaiban.web.request"):
        app.test_client().get("/login", headers={"X-Forwarded-For": "203.0.113.9"},
                              environ_base={"REMOTE_ADDR": "10.0.0.7"})
    [record] = [r for r in caplog.records if r.name == "kuaiban.web.request"]
    assert record.remote == seen  # type: ignore[attr-defined]  # the log's extra field


def test_served_over_https_directly_hsts_is_sent(app: Flask) -> None:
    response = app.test_client().get("/login", base_url="https://kuaiban.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_trusted_proxy_setting_is_checked(monkeypatch: pytest.MonkeyPatch,
                                              eng: Engine) -> None:
    monkeypatch.setenv("KUAIBAN_TRUSTED_PROXIES", "one")
    with pytest.raises(RuntimeError, match="KUAIBAN_TRUSTED_PROXIES"):
        create_app(eng, secret_key="s")
    monkeypatch.setenv("KUAIBAN_TRUSTED_PROXIES", "2")
    assert create_app(eng, secret_key="s").config["TRUSTED_PROXIES"] == 2


def test_what_a_signed_in_user_gets_is_not_cached(app: Flask) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "li", "password": PASSWORD})
    assert client.get("/").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/kuaiban.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
