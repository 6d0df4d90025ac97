"""Signed, expiring bearer tokens for the JSON API.

A token is ``{"sub": username}`` signed with the app's ``SECRET_KEY`` by itsdangerous
(``URLSafeTimedSerializer``, its own salt, so a session cookie is never a token and a token is
never a session cookie). It expires ``max_age`` seconds after it was issued (wall-clock time,
not the engine's clock: a frozen ``KUAIBAN_NOW`` must not make tokens immortal).
"""

from __future__ import annotations

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

SALT = "kuaiban.api.bearer-token"
DEFAULT_MAX_AGE = 8 * 3600  # one working day


class TokenError(Exception):
    """The token is missing its signature, forged, malformed or expired."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


def serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue(secret_key: str, username: str) -> str:
    return serializer(secret_key).dumps({"sub": username})


def verify(secret_key: str, token: str, max_age: int = DEFAULT_MAX_AGE) -> str:
    """The username a valid token was issued to, or TokenError."""
    try:
        payload = serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("the token has expired; get a new one at POST /api/v1/auth/token",
                         expired=True) from exc
    except BadData as exc:
        raise TokenError("the token is not valid") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("sub"), str):
        raise TokenError("the token is not valid")
    username: str = payload["sub"]
    return username
