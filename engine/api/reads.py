"""The API's reads of one case: the case, its history, who read its confidential fields, and the
ledgers; each as the reader may see it (a read in clear is logged)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.api.core import EngineCore
from engine.audit import chain
from engine.errors import (
    PermissionDenied,
)
from engine.messages import msg
from engine.org import users
from engine.org.users import Who
from engine.queries import case_briefs, ledger, related, visibility
from engine.queries.case_briefs import CaseBrief, CaseReference
from engine.queries.confidential import ReadView
from engine.queries.related import RelatedCase
from engine.queries.waiting import Waiting, waited_for
from engine.storage.schema import (
    Event,
    ProcessInstance,
)
from engine.views import EventView, InstanceView

LEDGER_READERS = {"auditor", "supervision_office", "reform_group", "case_manager", "style_group",
                  "data_bureau"}


class Reads(EngineCore):
    """Cases and ledgers as their readers may see them."""

    def instance(self, instance_id: int, user: Who | None = None) -> InstanceView:
        """The case; for a ``user``, one who may read it, with confidential fields as they
        may see them (a read in clear is logged)."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            view, shown = self._revealed(session, row, reader)
        self.confidential.record(instance_id, reader, shown, "case")
        return view

    def visible_instance(self, session: Session, row: ProcessInstance, user: Who | None
                         ) -> InstanceView:
        """The case as ``user`` may see it (None: everything), confidential fields masked for
        whoever may not see them: the path by which the documents filled from a case read
        its data (the case page and the API read through :meth:`instance`, which also logs
        what it showed in clear)."""
        reader = None if user is None else users.resolve(session, user)
        if reader is not None:
            self._check_may_read(session, row, reader)
        return self._revealed(session, row, reader)[0]

    def related(self, instance_id: int, user: Who | None = None) -> list[RelatedCase]:
        """The other cases under the case's number that ``user`` may read (a clue and its
        提级核查): engine/queries/related.py."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            return related.of_case(session, row, reader)

    def references(self, instance_id: int, user: Who | None = None) -> list[CaseReference]:
        """The cases the case's fields name (``x-case-of``: a 提级核查's clue), each with its
        facts (``x-case-facts``) and where it stands, when ``user`` may read it
        (engine/queries/case_briefs.py); confidential facts as they may see them (a read in
        clear is logged)."""
        shown: dict[int, list[str]] = {}
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)

            def reveal(ref: ProcessInstance, wanted: set[str]) -> dict[str, Any]:
                data, clear = self.confidential.reveal(
                    session, ref, reader, {k: v for k, v in ref.data.items() if k in wanted})
                shown[ref.id] = clear
                return dict(data)

            own, _ = self.confidential.reveal(session, row, reader, row.data)
            found = case_briefs.references(
                session, row, own, reader, lambda v: self.versions.get(session, v),
                self.clock.now(), reveal)
        for ref_id, fields in shown.items():
            self.confidential.record(ref_id, reader, fields, "case")
        return found

    def overseen(self, user: Who) -> list[CaseBrief]:
        """The running cases ``user`` may read of the procedures where one of their roles
        has a step, newest first, each with where it stands (a leader's overview of the
        提级核查 the city took over)."""
        with self.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            return case_briefs.overseen(
                session, reader, lambda v: self.versions.get(session, v), self.clock.now(),
                lambda k: self.versions.latest(session, k))

    def waiting(self, instance_id: int, user: Who | None = None) -> list[Waiting]:
        """The messages and timers the running case waits for (engine/queries/waiting.py)."""
        with self.transaction(read_only=True) as session:
            row, _ = self._readable(session, instance_id, user)
            return waited_for(session, self.versions.get(session, row.version_id), row)

    def check_read(self, instance_id: int, user: Who) -> None:
        """NotFound (CaseHidden) unless ``user`` may read the case; reads nothing of it."""
        with self.transaction(read_only=True) as session:
            self._readable(session, instance_id, user)

    def history(self, instance_id: int, user: Who | None = None) -> list[EventView]:
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            events = [_event_view(e) for e in chain.events_of(session, instance_id)]
            payloads, shown = self.confidential.reveal(session, row, reader,
                                                       [e.payload for e in events])
        self.confidential.record(instance_id, reader, shown, "history")
        return [replace(e, payload=p) for e, p in zip(events, payloads, strict=True)]

    def confidential_reads(self, instance_id: int, user: Who) -> list[ReadView]:
        """Who was shown the case's confidential fields, when, and how: for auditors."""
        with self.transaction(read_only=True) as session:
            row, reader = self._readable(session, instance_id, user)
            assert reader is not None
            return self.confidential.reads(session, row.id, reader)

    def ledger(self, key: str, user: Who | None = None, unit: str | None = None,
               month: date | None = None) -> ledger.Ledger:
        """A ledger (台账) as rows; readers: auditors, the supervision office, the reform
        group, case managers, and the users of a unit. Each sees the rows of the cases they
        may read (engine/queries/visibility.py), as on the cases' pages."""
        with self.transaction(read_only=True) as session:
            reader = None if user is None else users.resolve(session, user)
            if reader is not None and not set(reader.roles) & LEDGER_READERS \
                    and (reader.unit is None or not reader.roles):
                raise PermissionDenied(msg("ledger.supervisors_only"))
            hidden, shown = self.confidential.columns(session, key, reader)
            table = ledger.build(session, key, self.clock.now(), unit, month, hidden,
                                 None if reader is None else visibility.readable(session, reader))
        for instance_id, fields in table.revealed(shown).items():
            self.confidential.record(instance_id, reader, fields, "ledger")
        return table


def _event_view(e: Event) -> EventView:
    return EventView(e.seq, e.type, e.task_id, e.payload, e.user, e.at, e.state_digest, e.hash)
