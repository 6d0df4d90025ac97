"""Accounts: signing in (throttled, engine/org/sign_in.py), what keeps a sign-in valid, signing
out, passwords, and the user's own profile (engine/org/profile.py: e-mail, office telephone,
language). Each method is one transaction (``Engine.accounts``).

A session or an API token is valid while its user is active, its ``generation`` is the user's,
and its own id has not been signed out. So signing out revokes that one session or token (its
id is kept in ``revoked_credentials`` until it would have expired anyway), while signing out
everywhere, a new password and deactivation move the user's generation on and revoke every
session and token at once.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete

from engine.errors import InvalidData, NotFound, Throttled
from engine.messages import msg
from engine.org import passwords, phrases, profile, sign_in, users
from engine.org.phrases import Phrases
from engine.org.profile import Profile
from engine.org.sign_in import SignInPolicy
from engine.storage.schema import RevokedCredential
from engine.views import UserView

if TYPE_CHECKING:
    from engine.api import Engine


class Accounts:
    def __init__(self, engine: Engine, policy: SignInPolicy | None = None) -> None:
        self._engine = engine
        self.policy = policy or SignInPolicy()

    def _now(self) -> datetime:
        return self._engine.wall.now()

    def authenticate(self, username: str, password: str, address: str | None = None
                     ) -> UserView | None:
        """The user, or None for a wrong name or password; Throttled while the name or the
        client ``address`` is locked after too many failures."""
        now = self._now()
        with self._engine.transaction() as session:  # failures are counted: a write
            outcome = sign_in.attempt(session, self.policy, username, password, address, now)
        if outcome.locked_until is not None:
            wait = max(1, math.ceil((outcome.locked_until - now).total_seconds()))
            minutes = math.ceil(wait / 60)
            raise Throttled(msg("sign_in.throttled", minutes=minutes), wait)
        return outcome.user

    def signed_in(self, username: str, generation: int, credential: str) -> UserView:
        """The user of a session or token issued under ``generation`` with id ``credential``;
        NotFound once it is signed out, its user's generation moved on, or the user is gone."""
        with self._engine.transaction(read_only=True) as session:
            user = users.get(session, username)
            if user.username == users.SYSTEM.username or user.generation != generation:
                raise NotFound(msg("account.signed_out"))
            if session.get(RevokedCredential, credential) is not None:
                raise NotFound(msg("account.signed_out"))
            return user

    def sign_out(self, credential: str, expires_at: datetime) -> None:
        """Revoke one session or token (``expires_at``: when it would expire anyway)."""
        now = self._now()
        with self._engine.transaction() as session:
            session.execute(delete(RevokedCredential).where(RevokedCredential.expires_at <= now))
            if session.get(RevokedCredential, credential) is None:
                session.add(RevokedCredential(id=credential, expires_at=expires_at))

    def sign_out_everywhere(self, username: str) -> UserView:
        with self._engine.transaction() as session:
            user = users.row(session, username)
            user.generation += 1
            session.flush()
            return users.view(user)

    def change_password(self, username: str, current: str, new: str,
                        address: str | None = None) -> UserView:
        """A user's own change: the current password first (a wrong one counts as a failed
        sign-in), then the policy. Every other session and token of the user is revoked; the
        caller re-issues its own under the returned view's generation."""
        if self.authenticate(username, current, address) is None:
            raise InvalidData({"current_password": msg("field.wrong_current_password")},
                              msg("account.wrong_password"))
        return self.set_password(username, new, field="new_password")

    def set_password(self, username: str, new: str, field: str = "password") -> UserView:
        """A new password that follows the policy (``kuaiban users set-password`` is an
        administrator's reset): signs the user out everywhere and lifts a sign-in lock.
        ``field``: the form field a refusal names."""
        passwords.check(username, new, field)
        now = self._now()
        with self._engine.transaction() as session:
            user = users.row(session, username)
            users.set_password(user, new, now)
            sign_in.forget(session, username)
            session.flush()
            return users.view(user)

    def profile(self, username: str) -> Profile:
        """The user's name, unit and roles, and the contact details and language they keep."""
        with self._engine.transaction(read_only=True) as session:
            return profile.read(session, username)

    def update_profile(self, username: str, email: str, phone: str, language: str
                       ) -> Profile:
        """The user's own change of their e-mail address, office telephone and language
        ("" clears one); InvalidData naming each refused field, and nothing changed."""
        with self._engine.transaction() as session:
            return profile.update(session, username, email, phone, language)

    def set_language(self, username: str, language: str) -> None:
        """Keep the language the user switched the pages to ('zh' or 'en')."""
        with self._engine.transaction() as session:
            profile.set_language(session, username, language)

    def phrases(self, username: str) -> Phrases:
        """The user's 常用意见: their own list, or the defaults of their roles."""
        with self._engine.transaction(read_only=True) as session:
            return phrases.read(session, username)

    def add_phrase(self, username: str, text: str) -> Phrases:
        """Add a phrase at the end of the user's own list (InvalidData: empty, too long, a
        duplicate or a full list)."""
        with self._engine.transaction() as session:
            return phrases.add(session, username, text)

    def remove_phrase(self, username: str, text: str) -> Phrases:
        with self._engine.transaction() as session:
            return phrases.remove(session, username, text)

    def move_phrase(self, username: str, text: str, by: int) -> Phrases:
        """Move a phrase ``by`` places in the user's list (negative: up)."""
        with self._engine.transaction() as session:
            return phrases.move(session, username, text, by)

    def reset_phrases(self, username: str) -> Phrases:
        with self._engine.transaction() as session:
            return phrases.reset(session, username)

    def deactivate(self, username: str) -> None:
        """The user can no longer sign in; every session and token is revoked."""
        with self._engine.transaction() as session:
            user = users.row(session, username)
            user.active = False
            user.generation += 1

    def unlock(self, username: str) -> bool:
        """Lift a sign-in lock on the name; False when there was none."""
        now = self._now()
        with self._engine.transaction() as session:
            locked = sign_in.locked_until(session, [sign_in.account_key(username)], now)
            sign_in.forget(session, username)
            return locked is not None

