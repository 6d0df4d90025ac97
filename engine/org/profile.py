"""A user's own contact details and language (个人信息): read, and changed by the user alone.

The name, unit and roles are an administrator's (``kuaiban users add``) and only shown; the
e-mail address (where e-mail notices go), the office telephone (what documents print beside
the name, the 交办函's 联系人 line) and the language (the pages' at sign-in, the e-mails')
are the user's to keep. Each is checked as ``kuaiban users add`` checks it; a refusal names
every field that is wrong at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.org import users


@dataclass(frozen=True)
class Profile:
    username: str
    display_name: str
    unit: str | None
    roles: tuple[str, ...]
    email: str | None
    phone: str | None
    language: str | None  # 'zh' or 'en'; None: not chosen (Chinese)


def read(session: Session, username: str) -> Profile:
    user = users.row(session, username)
    return Profile(user.username, user.display_name, user.unit, tuple(user.roles), user.email,
                   user.phone, user.language)


def update(session: Session, username: str, email: str, phone: str, language: str
           ) -> Profile:
    """The user's own e-mail address, office telephone and language ("" clears one). Every
    field is checked before anything is changed."""
    user = users.row(session, username)
    problems: dict[str, Msg] = {}

    def checked(check: Callable[[str], str | None], text: str) -> str | None:
        try:
            return check(text)
        except InvalidData as exc:
            problems.update(exc.field_said)
            return None

    values = (checked(users.checked_email, email), checked(users.checked_phone, phone),
              checked(users.checked_language, language))
    if problems:
        raise InvalidData(problems, msg("profile.invalid"))
    user.email, user.phone, user.language = values
    session.flush()
    return read(session, username)


def set_language(session: Session, username: str, language: str) -> None:
    """The language a user switched the pages to, kept for their next sign-in and e-mails."""
    user = users.row(session, username)
    user.language = users.checked_language(language)
