"""Users: roles, unit, and passwords hashed with scrypt (never stored in clear)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData, NotFound
from engine.messages import msg
from engine.org import credit_code as credit_codes
from engine.org import directory, people, scope
from engine.org.roles import BY_ID
from engine.storage.schema import USERS, User
from engine.views import UserView

SYSTEM = UserView("system", "系统", tuple(BY_ID), None)
_N, _R, _P = 2**14, 8, 1
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")
# digits in groups parted by one space or hyphen, a + before the first: 0798-8200101,
# +86 798 8200101
_PHONE = re.compile(r"\+?[0-9]+(?:[ \-][0-9]+)*")
PHONE_LENGTH = (7, 20)  # characters, the + and the separators counted
# what a Chinese input method types for a hyphen: dashes (its Shift+- gives ——), the minus
# sign and the full-width and small hyphen-minus; a run of them is one hyphen
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")
EMAIL_LENGTH = 254
LANGUAGES = ("zh", "en")  # what a user may choose; Chinese is the default
_DUMMY_HASH = "scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(key).decode()


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, salt_b64, key_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt = base64.b64decode(salt_b64)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return hmac.compare_digest(key, base64.b64decode(key_b64))


def waste_a_check(password: str) -> None:
    """The work of checking a password, for a refusal that must take as long as a check."""
    check_password(_DUMMY_HASH, password)


def view(user: User | Row[Any, Any, Any, Any, Any, Any, Any]) -> UserView:
    """From the ORM object or a row of the users table's columns."""
    return UserView(user.username, user.display_name, tuple(user.roles), user.unit,
                    user.generation, credit_code=user.credit_code, language=user.language)


def add(session: Session, username: str, roles: list[str], unit: str | None = None,
        password: str | None = None, display_name: str | None = None,
        now: datetime | None = None, email: str | None = None,
        credit_code: str | None = None, phone: str | None = None,
        language: str | None = None) -> UserView:
    """Add a user or update one (roles, unit, display name; a password when given). The
    password is taken as given: policy is for people choosing one (engine/org/passwords.py).
    ``email`` (when given) replaces the address notices go to ("" to remove it);
    ``credit_code`` (when given) the enterprise's 统一社会信用代码 ("" to remove it): an
    enterprise user reads the cases filed with it (engine/queries/visibility.py); ``phone``
    (when given) the office telephone documents print beside the name ("" to remove it);
    ``language`` (when given) 'zh' or 'en', the pages' language at sign-in and the
    language of the user's e-mails ("" to remove it: Chinese)."""
    unknown = [r for r in roles if r not in BY_ID]
    if unknown:
        raise InvalidData({"role": msg("field.unknown_roles", roles=unknown)},
                          msg("users.unknown_role"))
    if not username.strip() or username == SYSTEM.username:
        raise InvalidData({"username": msg("field.other_username")}, msg("users.bad_name"))
    scoped = [r for r in roles if BY_ID[r].unit_scoped]
    if scoped and not unit:
        raise InvalidData({"unit": msg("field.roles_need_unit", roles=scoped)},
                          msg("users.unit_missing"))
    found = directory.load(session)
    if unit and found:  # a unit of the directory, by any of its names; never a new one
        unit = found.resolve(unit).name
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(username=username, password_hash="!", roles=[], active=True)
        session.add(user)
    user.roles = sorted(set(roles))
    user.unit = unit
    user.display_name = display_name or username
    if password:
        set_password(user, password, now)
    if email is not None:
        user.email = checked_email(email)
    if credit_code is not None:
        code = credit_codes.normalized(credit_code)
        if code and not credit_codes.is_valid(code):
            raise InvalidData({"credit_code": credit_codes.problem(code)},
                              msg("users.bad_credit_code"))
        user.credit_code = code or None
    if phone is not None:
        user.phone = checked_phone(phone)
    if language is not None:
        user.language = checked_language(language)
    session.flush()
    return scope.scoped(session, view(user))


def set_password(user: User, password: str, now: datetime | None) -> None:
    """A new password hash; a user who had one is signed out everywhere (a new generation)."""
    if user.password_hash != "!":
        user.generation += 1
    user.password_hash = hash_password(password)
    user.password_changed_at = now


def row(session: Session, username: str) -> User:
    """The ORM row of an existing user (active or not), for changing it."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(msg("users.not_found", username=username))
    return user


def get(session: Session, username: str) -> UserView:
    """The user, read on every command and page (a plain SELECT: no ORM object needed)."""
    if username == SYSTEM.username:
        return SYSTEM
    user = session.connection().execute(
        select(USERS.c.username, USERS.c.display_name, USERS.c.roles, USERS.c.unit,
               USERS.c.generation, USERS.c.credit_code, USERS.c.language)
        .where(USERS.c.username == username, USERS.c.active.is_(True))
    ).first()
    if user is None:
        raise NotFound(msg("users.not_found", username=username))
    return scope.scoped(session, view(user))


def display_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Display name by username, for the names given that are users (one query)."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name)
                           .where(User.username.in_(wanted)))
    return {name: display for name, display in rows}


def shown_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """How staff see each of the users named (engine/org/people.py ``shown``: the display
    name with the unit), by username (one query; names that are no user are left out)."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name, User.unit)
                           .where(User.username.in_(wanted)))
    return {name: people.shown(display, unit) for name, display, unit in rows}


def named(session: Session, param: str, username: str | None) -> dict[str, Any]:
    """A message's parameters naming a person: ``param`` the username, for callers that read
    it (an API client), and ``param_name`` how staff see them (``shown_names``), for the
    text; a name that is no user is said as it is."""
    name = username or ""
    return {param: username, f"{param}_name": shown_names(session, [name]).get(name, name)}


def checked_email(text: str) -> str | None:
    """A plain address (name@host.domain, at most 254 characters), or None for blank."""
    email = text.strip()
    if not email:
        return None
    if len(email) > EMAIL_LENGTH:
        raise InvalidData({"email": msg("field.email_too_long", most=EMAIL_LENGTH)},
                          msg("users.bad_email", email=email[:80]))
    if not _EMAIL.fullmatch(email):
        raise InvalidData({"email": msg("field.bad_email")}, msg("users.bad_email",
                                                        email=email[:80]))
    return email


def checked_phone(text: str) -> str | None:
    """A telephone number as forms take one (digits in groups parted by one space or hyphen,
    optionally a leading +; 7 to 20 characters), or None for blank. What a Chinese input
    method types is read as what it means and kept so: full-width digits, + and spaces
    (NFKC) and dashes (one hyphen), so ０７９８－８２００１０１ is 0798-8200101."""
    phone = normalized_phone(text)
    if not phone:
        return None
    least, most = PHONE_LENGTH
    if not _PHONE.fullmatch(phone):
        raise InvalidData({"phone": msg("field.bad_phone")}, msg("users.bad_phone",
                                                        phone=phone[:40]))
    if not least <= len(phone) <= most:
        raise InvalidData({"phone": msg("field.phone_length", least=least, most=most)},
                          msg("users.bad_phone", phone=phone[:40]))
    return phone


def normalized_phone(text: str) -> str:
    """``text`` half-width (:func:`halfwidth`), stripped."""
    return halfwidth(text).strip()


def halfwidth(text: str) -> str:
    """``text`` as typed in a Chinese input method's full-width mode read as meant: full-width
    characters as their ASCII selves (NFKC) and any run of dashes as one hyphen."""
    return unicodedata.normalize("NFKC", _DASHES.sub("-", text))


def checked_language(text: str) -> str | None:
    """'zh' or 'en', or None for blank (the default, Chinese)."""
    language = text.strip()
    if not language:
        return None
    if language not in LANGUAGES:
        raise InvalidData({"language": msg("field.bad_language")},
                          msg("users.bad_language", language=language[:20]))
    return language


@dataclass(frozen=True)
class Contact:
    """How a document names a person: their display name, office telephone and unit."""

    display_name: str
    phone: str | None
    unit: str | None = None


def contacts(session: Session, usernames: Iterable[str]) -> dict[str, Contact]:
    """Display name, telephone and unit by username, for the names given that are users."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name, User.phone, User.unit)
                           .where(User.username.in_(wanted)))
    return {name: Contact(display, phone, unit) for name, display, phone, unit in rows}


def email_of(session: Session, username: str) -> str | None:
    found: str | None = session.connection().execute(
        select(USERS.c.email).where(USERS.c.username == username)).scalar()
    return found


Who = str | UserView  # a user name, or the user a caller has already read (web requests)


def resolve(session: Session, who: Who) -> UserView:
    """The user, read unless the caller has read it already in this request."""
    return who if isinstance(who, UserView) else get(session, who)


def authenticate(session: Session, username: str, password: str) -> UserView | None:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        check_password(_DUMMY_HASH, password)  # same work either way: no user enumeration
        return None
    if not check_password(user.password_hash, password):
        return None
    return scope.scoped(session, view(user))
