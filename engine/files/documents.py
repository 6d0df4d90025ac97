"""Official documents (交办函, 督办函, 告知书 ...): DOCX templates the city's staff edit in
Word, filled from a case's data with docxtpl (Jinja tags in the text: ``{{ case_no }}``,
``{{ to_unit }}``, ``{{ received_at|cn_date }}``), numbered by the engine, stored with the
case's files and recorded by a ``document`` event.

The templates and their registry ``documents.json`` live in one folder
(``KUAIBAN_DOCUMENTS_DIR``, default ``processes/documents``); each entry says the title,
the DOCX file, the 文号 prefix, the processes whose cases may issue it by hand, the data
fields that name the addressee unit, and the issuing organ (docs/designer-guide.md §13).

A document is issued by the unit that runs its case: an entry with ``local`` (the 文号's
kind, 交 or 督) issues a county's or development zone's case in the name of the case's
jurisdiction (the directory's full name) and numbers it under the jurisdiction's 发文代字
(the directory's ``doc_code``): 浮纪交〔2026〕1号 from 浮梁县纪委监委, each in its own
sequence; a city case, and someone from outside the county issuing on its case, keep the
entry's ``issuer`` and ``prefix`` (景纪交).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment

from engine.errors import EngineError, NotFound
from engine.files import chinese, names
from engine.messages import msg
from engine.org.directory import Directory
from engine.org.people import own_name
from engine.org.scope import JURISDICTION
from engine.org.users import SYSTEM, Contact
from engine.scripting import expressions
from engine.time.calendar import TZ, WorkCalendar, deadline_day
from engine.time.clock import parse_instant
from engine.views import UserView

ROOT = Path(__file__).resolve().parent.parent.parent
REGISTRY = "documents.json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
APPLICANT_ROLES = frozenset({"enterprise"})  # they apply; they never issue an official document
LABEL_MAX = 40  # characters of a per-item letter's item in its file name


def folder() -> Path:
    configured = os.environ.get("KUAIBAN_DOCUMENTS_DIR", "").strip()
    return Path(configured) if configured else ROOT / "processes" / "documents"


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    file: str
    prefix: str  # of the 文号: 景纪交 gives 景纪交〔2026〕12号
    processes: tuple[str, ...]  # whose cases may issue it by hand (empty: every case)
    to: tuple[str, ...]  # data fields naming the addressee unit, the first one set wins
    issuer: str
    description: str = ""
    issuer_from: tuple[str, ...] = ()  # data fields naming the issuing unit, before ``issuer``
    # roles that may issue it by hand (empty: any but an applicant's; the diagram's steps
    # that issue it are not limited by this)
    issued_by: tuple[str, ...] = ()
    # the 文号's kind (交, 督 ...) a county's or zone's case numbers after its jurisdiction's
    # 发文代字, issuing in the jurisdiction's name; empty: ``issuer`` and ``prefix`` always
    local: str = ""
    # when a person may issue it by hand: an expression over the case's data (the restricted
    # language of the diagrams' conditions), and the same in words for the case page
    when: str = ""
    when_text: str = ""
    # a letter to one item of a multi-instance step (an enterprise of a 免申即享 batch): only
    # that step issues it, one per item, filled with the item; never by hand
    per_item: bool = False
    # the receipt handed to the applicant when the case is filed (受理回执): offered right
    # after filing and beside the case page's 打印办理单
    receipt: bool = False
    # a letter about work its addressee holds (a 督办函 urges work that is with them): a
    # person issues it only while the addressee unit holds an open task of the case as its
    # own work (not a step of the office that runs the case), and its 期限 is that work's
    # soonest deadline, not whichever step of the case is due first
    to_at_work: bool = False

    def path(self) -> Path:
        return folder() / self.file

    def applies_to(self, process_key: str) -> bool:
        return not self.processes or process_key in self.processes

    def issuable_by(self, roles: Iterable[str]) -> bool:
        held = set(roles)
        if self.issued_by:
            return bool(held & set(self.issued_by))
        return bool(held - APPLICANT_ROLES)

    def addressee(self, data: Mapping[str, Any]) -> str:
        """The unit the letter goes to: the first of its ``to`` fields the case has set."""
        return str(next((data[f] for f in self.to if data.get(f) not in (None, "")), ""))

    def ready(self, data: Mapping[str, Any], working: Collection[str] = ()) -> bool:
        """Whether the case, with ``data``, has reached the point where a person may issue
        it: a 交办函 only once the disposal is approved as 转办; a letter ``to_at_work`` only
        while its addressee is among the units ``working`` on the case's open tasks. A
        condition naming a field the case has not filled yet is not met."""
        if self.to_at_work and self.addressee(data) not in working:
            return False
        if not self.when:
            return True
        try:
            return bool(expressions.evaluate(self.when, dict(data)))
        except EngineError:
            return False

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "prefix": self.prefix,
                "processes": list(self.processes), "description": self.description,
                "when_text": self.when_text}


def templates() -> dict[str, Template]:
    """The registry (read again when the file changes: the city edits it)."""
    path = folder() / REGISTRY
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _load(str(path), stamp)


@lru_cache(maxsize=4)
def _load(path: str, stamp: int) -> dict[str, Template]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(msg("document.registry_unreadable", path=path, exc=exc)) from exc
    out: dict[str, Template] = {}
    for key, entry in raw.items():
        if key.startswith("$") or not isinstance(entry, dict):
            continue
        out[key] = Template(
            key=key, title=str(entry["title"]), file=str(entry["file"]),
            prefix=str(entry["prefix"]), processes=tuple(entry.get("processes") or ()),
            to=tuple(entry.get("to") or ()), issuer=str(entry.get("issuer") or ""),
            description=str(entry.get("description") or ""),
            issuer_from=tuple(entry.get("issuer_from") or ()),
            issued_by=tuple(entry.get("issued_by") or ()),
            local=str(entry.get("local") or ""), when=_condition(path, key, entry),
            when_text=str(entry.get("when_text") or ""), per_item=entry.get("per_item") is True,
            receipt=entry.get("receipt") is True, to_at_work=entry.get("to_at_work") is True)
    return out


def _condition(path: str, key: str, entry: Mapping[str, Any]) -> str:
    """An entry's ``when``, refused with the registry when it is no expression the engine
    runs: a typo must not quietly offer (or withhold) a document."""
    source = str(entry.get("when") or "").strip()
    problems = expressions.check(source) if source else []
    if problems:
        raise EngineError(msg("document.when_refused", path=path, key=key,
                              problems="; ".join(problems)))
    return source


def template(key: str) -> Template:
    found = templates().get(key)
    if found is None:
        known = "、".join(sorted(templates())) or "无"
        raise NotFound(msg("document.template_not_found", key=key, known=known))
    return found


def step_issuer(user: UserView) -> UserView:
    """Who issues the documents of the steps a command of ``user`` passed: the engine (in
    the case's issuing department's name) when an applicant's filing or answer triggered
    them; a 受理回执 is the receiving department's, never the enterprise's."""
    return SYSTEM if set(user.roles) <= APPLICANT_ROLES else user


def unit_full_name(name: Any, units: Directory | None = None) -> str:
    """A unit's full name for the documents' addressee lines: the directory's full name of
    the unit the case data names (a name the directory lacks stays as it is)."""
    if name in (None, ""):
        return ""
    found = units.find(str(name)) if units else None
    return found.full_name if found is not None else str(name)


@dataclass(frozen=True)
class Issuer:
    """Who issues a document of a case, and the prefix its 文号 is numbered under."""

    name: str
    prefix: str


def issuer_of(found: Template, data: Mapping[str, Any], units: Directory | None = None,
              issuing_unit: str | None = None, by_engine: bool = True) -> Issuer:
    """The issuing organ and the 文号 prefix of ``found`` for a case with ``data``: a
    county's or zone's case of a ``local`` entry is its jurisdiction's (EngineError when the
    directory gives that unit no 发文代字: never a number of another unit's sequence).
    ``issuing_unit``: the unit of the person who issues it (``by_engine`` False); one from
    outside the case's area (a city supervisor urging a county) issues in the entry's own
    name, as for a city case."""
    body = units.find(str(data.get(JURISDICTION) or "")) if units and found.local else None
    if units and body is not None and units.area(body).parent is not None and (
            by_engine or _area(units, issuing_unit) == units.area(body)):
        if not body.doc_code:
            raise EngineError(msg("document.no_doc_code", unit=body.name, title=found.title))
        return Issuer(body.full_name, body.doc_code + found.local)
    name = next((unit_full_name(data[f], units) for f in found.issuer_from
                 if data.get(f) not in (None, "")), found.issuer)
    return Issuer(name, found.prefix)


def _area(units: Directory, unit: str | None) -> Any:
    entry = units.find(unit)
    return units.area(entry) if entry is not None else None


@dataclass(frozen=True)
class CaseFacts:
    """What a document is filled from: the case as its reader may see it."""

    instance_id: int
    process_key: str
    process_name: str
    business_key: str | None
    data: Mapping[str, Any]
    created_at: datetime
    due_at: datetime | None  # the soonest deadline of its open tasks
    started_by: str | None = None  # who filed it: an applicant, or the window clerk for one
    calendar: WorkCalendar | None = None  # the deadlines' calendar, for ``provisional``


def context(found: Template, case: CaseFacts, doc_no: str, now: datetime,
            units: Directory | None = None, issuer: Issuer | None = None) -> dict[str, Any]:
    """The names a template may use: every field of the case's data, and these (units by
    their full names in the directory ``units``; ``issuer``: as :func:`issuer_of` found it
    for the one who issues it)."""
    data = {k: v for k, v in case.data.items() if isinstance(k, str) and not k.startswith("_")}
    to_unit = found.addressee(data)
    name = (issuer or issuer_of(found, case.data, units)).name
    return {**data, "data": data, "doc_no": doc_no, "title": found.title, "issuer": name,
            "issuer_organs": organs(name),
            "case_no": case.business_key or f"#{case.instance_id}",
            "process_name": case.process_name, "to_unit": unit_full_name(to_unit, units),
            "issued_on": chinese.chinese_date(now), "issued_on_digits": chinese.digits_date(now),
            "received_on": chinese.digits_date(case.created_at),
            "started_by": case.started_by or "",
            "due_on": chinese.digits_date(case.due_at) if case.due_at else "",
            "provisional": lambda deadline: provisional(case.calendar, now, deadline)}


def provisional(calendar: WorkCalendar | None, now: datetime, deadline: Any) -> bool:
    """True if ``deadline`` (an instant, as data holds it) was counted into a year whose
    official holiday schedule is not loaded: a document then says it counts the statutory
    holidays only (``{% if provisional(decision_due) %}…{% endif %}``)."""
    if calendar is None or deadline in (None, ""):
        return False
    try:
        due = deadline if isinstance(deadline, datetime) else parse_instant(str(deadline))
    except EngineError:
        return False
    return calendar.provisional_span(now.astimezone(TZ).date(), deadline_day(due))


def organs(issuer: str) -> list[str]:
    """The organs of an issuer's name, each a line of the letterhead: a joint issuer's names
    are separated by an ideographic space (中共景德镇市纪律检查委员会　景德镇市监察委员会)."""
    return [part for part in issuer.split("\u3000") if part.strip()] or [issuer]


def _environment(units: Directory | None, people: Mapping[str, Contact]
                 ) -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=True)

    def name(username: Any) -> str:
        found = people.get(username)
        return (own_name(found.display_name) or found.display_name) if found else str(username)

    def phone(username: Any) -> str:
        found = people.get(username)
        return found.phone or "" if found else ""

    def unit(username: Any) -> str:
        found = people.get(username)
        return unit_full_name(found.unit, units) if found else ""

    env.filters.update(cn_date=chinese.chinese_date, date=chinese.digits_date,
                       date_time=chinese.digits_date_time, yuan=chinese.yuan,
                       unit_full=lambda unit: unit_full_name(unit, units),
                       person=lambda username: people[username].display_name
                       if username in people else username,
                       person_name=name, person_phone=phone, person_unit=unit)
    return env


def render(found: Template, values: Mapping[str, Any], units: Directory | None = None,
           people: Mapping[str, Contact] | None = None) -> tuple[bytes, str]:
    """The filled DOCX and the SHA-256 of the template file it was filled from. ``people``:
    the users a person field names, for the filters that print one: ``person`` (the display
    name), ``person_name`` (the name alone, without a role or unit the display name carries),
    ``person_phone`` (the office telephone, "" when the account has none) and ``person_unit``
    (the full name of the user's unit, "" when the account has none)."""
    from docxtpl import DocxTemplate  # docxtpl loads python-docx and lxml: only when needed

    try:
        source = found.path().read_bytes()
    except OSError as exc:
        raise EngineError(msg("document.template_unreadable", file=found.file,
                              strerror=exc.strerror)) from exc
    try:
        document = DocxTemplate(io.BytesIO(source))
        document.render(dict(values), jinja_env=_environment(units, people or {}),
                        autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except Exception as exc:  # a template edited into broken Jinja or XML: say which
        raise EngineError(msg("document.fill_failed", file=found.file, exc=exc)) from exc
    return out.getvalue(), hashlib.sha256(source).hexdigest()


def receipt_keys() -> frozenset[str]:
    """The templates that are an application's 受理回执."""
    return frozenset(t.key for t in templates().values() if t.receipt)


def file_name(found: Template, case: CaseFacts, doc_no: str, label: str = "") -> str:
    """``label``: the item a per-item letter is for (its enterprise), told apart in the
    case's files."""
    item = f"-{names.clean(label)[:LABEL_MAX]}" if label else ""
    return f"{found.title}-{case.business_key or case.instance_id}{item}-{doc_no}.docx"
