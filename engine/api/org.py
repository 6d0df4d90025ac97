"""The API of the organization: the unit directory, users and sign-in, and the choices person,
policy and catalogue fields offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.api.core import EngineCore
from engine.definitions import catalogue_items, policies
from engine.definitions.catalogue_items import CatalogueItem
from engine.definitions.policies import Policy
from engine.org import directory, people, scope, users
from engine.org.directory import Unit
from engine.org.unit_import import ImportReport, import_units
from engine.views import UserView


class Organization(EngineCore):
    """Units, users and the catalogues forms pick from."""

    def units(self, kind: str | None = None, tag: str | None = None,
              q: str | None = None) -> list[Unit]:
        """The directory in its order; ``q`` matches any of a unit's names in part."""
        with self.transaction(read_only=True) as session:
            found = directory.load(session).units
        return [u for u in found if (kind is None or u.kind == kind)
                and (tag is None or tag in u.tags)
                and (not q or any(q.strip() in name for name in u.names))]

    def person_choices(self, schema: Mapping[str, Any] | None,
                       user: UserView) -> dict[str, list[people.Person]]:
        """The users each person field (``x-user``) of ``schema`` offers ``user``."""
        with self.transaction(read_only=True) as session:
            return people.choices(session, schema, scope.scoped(session, user))

    def policy_choices(self, schema: Mapping[str, Any] | None, unit: str | None = None
                       ) -> dict[str, list[Policy]]:
        """The policies each policy field (``x-policy``) of ``schema`` offers to a user of
        ``unit`` (None: every department's)."""
        with self.transaction(read_only=True) as session:
            return policies.choices(session, schema, unit)

    def catalogue_choices(self, schema: Mapping[str, Any] | None
                          ) -> dict[str, list[CatalogueItem]]:
        """The rows each catalogue field (``x-catalogue``) of ``schema`` offers."""
        with self.transaction(read_only=True) as session:
            return catalogue_items.choices(session, schema)

    def policies(self, q: str | None = None, mode: str | None = None) -> list[Policy]:
        """The deployed 惠企政策清单; ``q`` matches a policy's number, name, mode, department
        or eligible subjects in part."""
        with self.transaction(read_only=True) as session:
            listed = policies.catalogue(session)
        return [p for p in listed if (not mode or p.policy_mode == mode)
                and (not q or p.matches(q.strip()))]

    def unit_directory(self) -> directory.Directory:
        with self.transaction(read_only=True) as session:
            return directory.load(session)

    def import_units(self, text: str) -> ImportReport:
        """Check the whole directory file, then load it (see engine/org/unit_import.py)."""
        with self.transaction() as session:
            return import_units(session, text)

    def add_user(self, username: str, roles: list[str], unit: str | None = None,
                 password: str | None = None, display_name: str | None = None,
                 email: str | None = None, credit_code: str | None = None,
                 phone: str | None = None, language: str | None = None) -> UserView:
        """Add or update a user. The password is taken as given (seeding, demo users); people
        choosing one go through ``check_password_policy`` (the CLI) or
        ``accounts.set_password``. ``email`` (when given) replaces the address notices go to
        ("" to remove it); ``credit_code`` an enterprise's 统一社会信用代码 (it follows the
        cases filed with it); ``phone`` the office telephone documents print beside the
        person's name ("" to remove it); ``language`` 'zh' or 'en', the pages' language at
        sign-in and the user's e-mails' ("" to remove it: Chinese)."""
        with self.transaction() as session:
            return users.add(session, username, roles, unit, password, display_name,
                             self.wall.now(), email, credit_code, phone, language)

    def user(self, username: str) -> UserView:
        with self.transaction(read_only=True) as session:
            return users.get(session, username)

    def shown_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """How staff see each user (a history's actors, say): the display name with the unit,
        never the username; by username, unknown names left out."""
        with self.transaction(read_only=True) as session:
            return users.shown_names(session, usernames)

    def authenticate(self, username: str, password: str, address: str | None = None
                     ) -> UserView | None:
        """See ``accounts.authenticate``: None when wrong, Throttled after too many failures
        for the name or the client ``address``."""
        return self.accounts.authenticate(username, password, address)
