"""Throttling sign-in: failed attempts are counted per user name and per client address in the
``sign_in_failures`` table, which every web process shares.

The policy (docs/operations.md): 5 failures for one user name within 15 minutes lock that name
for 15 minutes; 20 failures from one client address within 15 minutes block that address for
15 minutes. While locked, nothing is checked, not even the right password: the answer is
"too many attempts" with the seconds to wait. A successful sign-in clears its name's count (not
its address's: one good account must not reset the count of guesses at others). Names that
belong to no user are counted the same way, so a lock tells nothing about which names exist.
Each lock is logged on ``kuaiban.security``. Times are the wall clock (``Engine.wall``): a
frozen ``KUAIBAN_NOW`` must not make a lock last forever.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.org import users
from engine.storage.schema import SignInFailure
from engine.views import UserView

log = logging.getLogger("kuaiban.security")


@dataclass(frozen=True)
class Limit:
    failures: int  # this many failures ...
    window: timedelta  # ... counted from the first within this long ...
    lock: timedelta  # ... lock the name or the address for this long


@dataclass(frozen=True)
class SignInPolicy:
    account: Limit = Limit(5, timedelta(minutes=15), timedelta(minutes=15))
    address: Limit = Limit(20, timedelta(minutes=15), timedelta(minutes=15))


@dataclass(frozen=True)
class Attempt:
    user: UserView | None  # signed in
    locked_until: datetime | None = None  # refused: too many failures


def account_key(username: str) -> str:
    return "user:" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()


def address_key(address: str) -> str:
    return "addr:" + address[:64]


def attempt(session: Session, policy: SignInPolicy, username: str, password: str,
            address: str | None, now: datetime) -> Attempt:
    """Check a password unless the name or the address is locked; count a failure."""
    keys = [account_key(username)] + ([address_key(address)] if address else [])
    until = locked_until(session, keys, now)
    if until is not None:
        users.waste_a_check(password)  # the same work as a real check: no timing signal
        return Attempt(None, until)
    user = users.authenticate(session, username, password)
    if user is not None:
        forget(session, username)
        return Attempt(user)
    return Attempt(None, _count(session, policy, username, address, now))


def locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    until = [t for t in session.execute(select(SignInFailure.locked_until).where(
        SignInFailure.key.in_(keys), SignInFailure.locked_until > now)).scalars() if t]
    return max(until) if until else None


def forget(session: Session, username: str) -> None:
    """Clear the name's count and lock (a successful sign-in, a new password, an unlock)."""
    session.execute(delete(SignInFailure).where(SignInFailure.key == account_key(username)))


def _count(session: Session, policy: SignInPolicy, username: str, address: str | None,
           now: datetime) -> datetime | None:
    """Count one failure for the name and the address; the end of a lock this one caused."""
    locks = []
    counted = [(account_key(username), policy.account, "account")]
    if address:
        counted.append((address_key(address), policy.address, "address"))
    for key, limit, scope in counted:
        row = _row(session, key, now)
        if row.first_at + limit.window <= now:  # an old count: start again
            row.failures, row.first_at = 0, now
        row.failures += 1
        if row.failures >= limit.failures:
            row.locked_until = now + limit.lock
            row.failures, row.first_at = 0, now
            locks.append(row.locked_until)
            log.warning("sign-in locked: too many failures for this %s", scope, extra={
                "scope": scope, "user": username if scope == "account" and _exists(
                    session, username) else None, "address": address,
                "until": row.locked_until.isoformat()})
    longest = max(policy.account.window, policy.account.lock, policy.address.window,
                  policy.address.lock)
    session.execute(delete(SignInFailure).where(  # counts nobody needs any more
        or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now),
        SignInFailure.first_at <= now - longest))
    return max(locks) if locks else None


def _row(session: Session, key: str, now: datetime) -> SignInFailure:
    query = select(SignInFailure).where(SignInFailure.key == key).with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is not None:
        return row
    row = SignInFailure(key=key, failures=0, first_at=now, locked_until=None)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # counted at the same moment by another process
        return session.execute(query).scalar_one()
    return row


def _exists(session: Session, username: str) -> bool:
    """Only the names of real users go into the log (a mistyped name may be a password)."""
    try:
        users.get(session, username)
    except Exception:
        return False
    return True
