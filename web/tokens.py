"""Signed, expiring bearer tokens for the JSON API.

A token is ``{"sub": username, "gen": generation, "jti": id}`` signed with the app's
``SECRET_KEY`` by itsdangerous (``URLSafeTimedSerializer``, its own salt, so a session cookie
is never a token and a token is never a session cookie). It expires ``max_age`` seconds after
it was issued (wall-clock time, not the engine's clock: a frozen ``KUAIBAN_NOW`` must not make
tokens immortal). It is revoked before that by ``POST /api/v1/auth/logout`` (its ``jti``), and
with every other token and session of its user when the user's generation moves on (signing
out everywhere, a new password, deactivation: engine/org/accounts.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

SALT = "kuaiban.api.bearer-token"
DEFAULT_MAX_AGE = 8 * 3600  # one working day


class TokenError(Exception):
    """The token is missing its signature, forged, malformed or expired."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


@dataclass(frozen=True)
class Claims:
    username: str
    generation: int
    id: str  # the jti: what signing out revokes
    expires_at: datetime


def serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue(secret_key: str, username: str, generation: int = 0) -> str:
    return serializer(secret_key).dumps({"sub": username, "gen": generation,
                                         "jti": secrets.token_urlsafe(16)})


def verify(secret_key: str, token: str, max_age: int = DEFAULT_MAX_AGE) -> Claims:
    """What a valid token says, or TokenError."""
    try:
        payload, issued = serializer(secret_key).loads(token, max_age=max_age,
                                                       return_timestamp=True)
    except SignatureExpired as exc:
        raise TokenError("the token has expired; get a new one at POST /api/v1/auth/token",
                         expired=True) from exc
    except BadData as exc:
        raise TokenError("the token is not valid") from exc
    if not (isinstance(payload, dict) and isinstance(payload.get("sub"), str)
            and type(payload.get("gen")) is int and isinstance(payload.get("jti"), str)):
        raise TokenError("the token is not valid")
    issued_at = issued if issued.tzinfo else issued.replace(tzinfo=UTC)
    return Claims(payload["sub"], payload["gen"], payload["jti"],
                  issued_at + timedelta(seconds=max_age))
