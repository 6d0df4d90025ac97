"""What every response tells the browser to enforce, and who may say the request came in over
https.

Headers on every response (pages, the API, static files, errors):

* ``Content-Security-Policy``: scripts, styles, images, fonts and fetches from this site only;
  no plugins, no ``<base>``, forms post only here, and no framing (``frame-ancestors
  'none'``). No inline script or ``style`` attribute is applied, so templates have none (a
  script sets styles through ``element.style``, which the policy allows; bpmn-js does so).
  ``data:`` images and fonts: diagram-js's stylesheets use them.
* ``X-Frame-Options: DENY`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin`` (links to other sites never carry a case URL).
* ``Strict-Transport-Security`` only when the request came in over https.
* ``Cache-Control: no-store`` on what a signed-in user gets (pages and API answers, not static
  files): case data must not stay in a shared computer's browser cache.

Behind a TLS-terminating reverse proxy, ``KUAIBAN_TRUSTED_PROXIES`` (the number of proxies in
front, default 0) lets their ``X-Forwarded-For``, ``-Proto`` and ``-Host`` headers count
(Werkzeug's ProxyFix): the request is then https, so HSTS is sent and the session cookie is
``Secure``; and the client address (sign-in throttling, the request log) is the real one.
Without it those headers are ignored: anyone could send them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain may differ


def trusted_proxies(value: str | None = None) -> int:
    """``KUAIBAN_TRUSTED_PROXIES`` as a number of proxies (RuntimeError when it is not one)."""
    text = (os.environ.get("KUAIBAN_TRUSTED_PROXIES", "") if value is None else value).strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > 10:
        raise RuntimeError(f"KUAIBAN_TRUSTED_PROXIES must be the number of reverse proxies in "
                           f"front of Kuaiban (0-10), not {text!r} (see docs/operations.md)")
    return int(text)


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came in over https (directly, or
    through a trusted proxy), not only when ``SESSION_COOKIE_SECURE`` says so."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


class _TrustedProxies:
    """ProxyFix with the number of proxies read from the app's ``TRUSTED_PROXIES`` setting on
    each request (0: the forwarded headers are ignored)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.inner = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        hops = int(self.app.config.get("TRUSTED_PROXIES") or 0)
        if hops:
            return ProxyFix(self.inner, x_for=hops, x_proto=hops, x_host=hops)(
                environ, start_response)
        return self.inner(environ, start_response)


def install(app: Flask, proxies: int) -> None:
    app.config["TRUSTED_PROXIES"] = proxies
    app.session_interface = SessionCookies()
    app.wsgi_app = _TrustedProxies(app)  # type: ignore[method-assign]  # WSGI middleware
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    signed_in = g.get("user") is not None or g.get("api_user") is not None
    if signed_in and request.endpoint not in ("static", "assets.vendor"):
        response.headers["Cache-Control"] = "no-store"
    return response
