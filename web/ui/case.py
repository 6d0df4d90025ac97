"""The case around a task or an instance: key data with Chinese labels, the timeline of
events, and every task so far."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from flask import g
from flask_babel import gettext as _
from markupsafe import Markup, escape

from engine import (
    STARTED_PROCESS,
    AttachmentView,
    EventView,
    InstanceView,
    ReadView,
    TaskView,
    UserView,
    field_schemas,
    instance_path,
    instance_tasks,
    is_applicant,
)
from web.ui import fmt, forms
from web.ui.read_log import ReadRun, runs
from web.ui.timeline import (
    DataRow,
    TimelineItem,
    people_in,
    replaced,
    timeline_item,
    variable_row,
)
from web.ui.util import engine

# An applicant (an enterprise) follows its own application: what it submitted, the steps done,
# results and documents; not the staff's internal work (who claimed, signed, was urged, ...)
# nor the staff by username.
INSIDERS = frozenset({"auditor", "designer"})  # those who read the engine's own names
# the 纪委监委 a case belongs to matters to those who work and supervise clues, not to
# enterprises or departments paying subsidies
DISCIPLINE_READERS = frozenset({"intake", "approver", "case_manager", "handler", "auditor",
                                "city_leader", "city_investigator",
                                "supervision_office", "style_group", "reform_group"})
FOREIGN = "_from_other_procedures"  # the schema of data another procedure's form asked for
_APPLICANT_EVENTS = frozenset({"started", "completed", "document", "terminated", "withdrawn",
                               "commented"})


@dataclass(frozen=True)
class Grid:
    """A list of objects as the case shows it: a small table headed by the columns' titles."""

    heads: list[str]
    rows: list[list[str]]

    def __str__(self) -> str:  # one line, where a table does not fit
        return "；".join("，".join(f"{h}：{c}" for h, c in zip(self.heads, row, strict=True) if c)
                        for row in self.rows)


@dataclass(frozen=True)
class Entries:
    """An object as the case shows it: each property's title and value, a line each."""

    lines: list[tuple[str, str]]

    def __str__(self) -> str:  # one line, where the lines do not fit
        return "，".join(f"{title}：{text}" for title, text in self.lines)


@dataclass(frozen=True)
class CaseContext:
    instance: InstanceView
    data: list[DataRow]
    timeline: list[TimelineItem]
    tasks: list[TaskView]
    process_name: str
    other_data: list[DataRow]  # data no form names (scripts'): auditors and designers only
    files: list[AttachmentView]  # the case's files and documents
    events: list[EventView]  # the history, as the reader may see it
    reads: list[ReadView]  # who was shown confidential fields (auditors only; else empty)
    labels: dict[str, str] = field(default_factory=dict)  # field title by data key
    insider: bool = False  # an auditor or designer: engine variables are shown by key
    people: dict[str, str] = field(default_factory=dict)  # display name by username
    readable: Callable[[str, Any], Any] = lambda _name, value: value  # choices by label
    applicant: str | None = None  # the reader, when an applicant: staff are not named
    items: frozenset[str] = frozenset()  # multi-instance items (each task's own): not shown
    diagram: Any = None  # the version's diagram: which script tasks set a variable

    def shows(self, username: str | None) -> bool:
        """Whether the page names ``username`` (an applicant sees only itself named)."""
        return bool(username) and (self.applicant is None or username == self.applicant)

    def who(self, username: str | None) -> str | None:
        return person(username, self.people)

    def who_all(self, usernames: Iterable[str]) -> list[str]:
        return [person(name, self.people) or name for name in usernames]

    def named(self, username: str | None) -> Markup:
        """Who, by name; auditors and designers see the username after it, small."""
        return named(username, self.people, self.insider)

    def titles(self, names: Iterable[str]) -> list[str]:
        """The fields ``names`` by their titles (举报人, not reporter)."""
        return [self.labels.get(name, name) for name in names]

    @property
    def read_runs(self) -> list[ReadRun]:
        """The access log, runs of identical reads close together as one (×n)."""
        return runs(self.reads)

    @property
    def done_tasks(self) -> list[TaskView]:
        """The tasks no longer open, in the order they were done: by time, and within one
        time (a batch of steps in one minute) by the history's order."""
        last_event = {e.task_id: e.seq for e in self.events if e.task_id}
        return sorted((t for t in self.tasks if t.status != "ready"),
                      key=lambda t: (t.completed_at or t.created_at,
                                     last_event.get(t.id, len(self.events) + 1)))

    def step(self, seq: int | None) -> TimelineItem | None:
        """The timeline's event ``seq`` (time travel's shown step), if the reader sees it."""
        return next((item for item in self.timeline if item.seq == seq), None)

    def steps_beside(self, seq: int) -> tuple[int | None, int | None]:
        """The event numbers of the reader's steps just before and after ``seq`` (time
        travel's 上一步 and 下一步): an applicant's 办理经过 lists some events only, and
        moving by one would land on a step it does not see, or stop before its last."""
        seqs = [item.seq for item in self.timeline]
        return (max((s for s in seqs if s < seq), default=None),
                min((s for s in seqs if s > seq), default=None))

    def snapshot_rows(self, data: dict[str, Any]) -> list[DataRow]:
        """A time-travel snapshot's form fields, labelled and ordered like the case's own:
        案件编号 first, then the forms' fields in their order."""
        order = {name: i for i, name in enumerate(self.labels)}
        order["case_no"] = -1
        rows = [DataRow(k, self.labels[k], self.readable(k, v)) for k, v in data.items()
                if not k.startswith("_") and k not in self.items and k in self.labels]
        return sorted(rows, key=lambda r: (order.get(r.name, len(order)), r.name))

    def snapshot_other(self, data: dict[str, Any]) -> list[DataRow]:
        """The snapshot's variables no form names (set by the diagram's scripts), by key,
        for insiders only: apart, under 流程变量, as on the case itself."""
        if not self.insider:
            return []
        return sorted((variable_row(self.diagram, k, self.readable(k, v))
                       for k, v in data.items() if not k.startswith("_")
                       and k not in self.items and k not in self.labels),
                      key=lambda r: r.name)


def case_context(instance_id: int, username: str, schemas: dict[str, dict[str, Any]],
                 instance: InstanceView | None = None) -> CaseContext:
    """``instance``: the case as the caller read it already (each read of confidential
    fields is logged: a page reads the case once)."""
    eng = engine()
    instance = instance or eng.instance(instance_id, username)
    schemas = {**schemas, **_foreign_schema(eng, schemas, instance.data)}
    events = eng.history(instance_id, username)
    path = instance_path(eng, instance_id, username)
    tasks = instance_tasks(eng, instance_id)
    processes = eng.processes()
    start_form = next((p.start_form_key for p in processes if p.key == instance.process_key),
                      None)
    fields = [f for schema in _as_worked(schemas, start_form, tasks)
              for f in forms.fields_of(schema)]
    files = eng.dossier.files(instance_id, username)
    names = {f.sha256: f.name for f in files}
    file_fields = {f.name for f in fields if f.kind == "files"}
    labels: dict[str, str] = {}
    for f in fields:
        labels.setdefault(f.name, f.title)
    order = {name: i for i, name in enumerate(labels)}
    labels.setdefault("case_no", _("案件编号"))
    labels.setdefault("source_case_no", _("来源案件编号"))
    # the engine's jurisdiction (engine/org/scope.py): a 纪委监委 in the discipline procedures,
    # the starter's unit elsewhere (a 工信局's subsidy case)
    labels.setdefault("jurisdiction", _("所属纪委监委") if path.diagram.by_jurisdiction
                      else _("所属单位"))
    user_fields = _person_fields(schemas)
    people_named = [v for k, v in instance.data.items() if k in user_fields and isinstance(v, str)]
    readable = partial(_readable, fields, file_fields=file_fields, names=names)
    # variables no form names (set by scripts) are the engine's, by key: for those who read
    # the diagrams' scripts, not for clerks
    insiders = is_insider(g.user)
    titles = {t.id: t.title for t in tasks}
    auditor = g.user is not None and "auditor" in g.user.roles
    reads = eng.confidential_reads(instance_id, username) if auditor else []
    people = eng.shown_names([*(e.user for e in events if e.user),
                              *(t.completed_by for t in tasks if t.completed_by),
                              *(t.assignee for t in tasks if t.assignee),
                              *(t.owner for t in tasks if t.owner),
                              *(s for t in tasks for s in t.signers or ()),
                              *(f.uploaded_by for f in files if f.uploaded_by),
                              *(r.user for r in reads), *people_named,
                              *people_in(events)])
    if user_fields:
        readable = partial(_person_or_readable, readable, user_fields, people)
    policy_fields = _policy_fields(schemas)
    if policy_fields and any(k in policy_fields for k in instance.data):
        named = {p.policy_id: f"{p.policy_id} {p.policy_name}" for p in eng.policies()}
        readable = partial(_policy_or_readable, readable, policy_fields, named)
    process_names = {p.key: p.name for p in processes}
    if STARTED_PROCESS in instance.data:
        readable = partial(_process_or_readable, readable, process_names)
    form_of = {t.id: t.form_key for t in tasks}
    who = partial(person, people=people)
    changed = replaced(events, {*path.diagram.item_variables, *_asked_afresh(schemas)})
    timeline = [timeline_item(event, path.diagram, titles, process_names,
                              {**labels, **_titles(schemas, _submitted_by(
                                  event, start_form, form_of))},
                              readable, insiders, who, changed.get(event.seq))
                for event in events]
    labels.setdefault("case_no", _("案件编号"))
    order.setdefault("case_no", -1)
    discipline = g.user is not None and bool(DISCIPLINE_READERS & set(g.user.roles))
    rows = [DataRow(k, labels.get(k, k), readable(k, v))
            for k, v in instance.data.items() if not k.startswith("_")
            and v not in (None, "", [])  # a field left empty says nothing
            # a multi-instance task's item is its own (the case holds the last one done):
            # each shows under its task's step in the history
            and k not in path.diagram.item_variables
            and (k != "jurisdiction" or discipline)]
    rows.sort(key=lambda r: (order.get(r.name, len(order)), r.name))
    other = [variable_row(path.diagram, r.name, r.value) for r in rows
             if r.name not in labels] if insiders else []
    applicant = username if is_applicant(g.user) else None
    if applicant is not None:
        timeline = [_for_applicant(item, applicant, people) for item in timeline
                    if item.kind in _APPLICANT_EVENTS]
        rows, labels = _as_filed(rows, labels, schemas, events, tasks, start_form)
    timeline = [replace(item, number=n) for n, item in enumerate(timeline, 1)]
    return CaseContext(instance, [r for r in rows if r.name in labels], timeline, tasks,
                       path.diagram.name, other, files, events, reads, labels, insiders,
                       people, readable, applicant, path.diagram.item_variables, path.diagram)


def sees_step(user: UserView) -> bool:
    """Whether the reader may look back at a step of the case (time travel): the staff and
    auditors, not an applicant (engine ``state_at``); one past the last is the engine's
    NotFound."""
    return not is_applicant(user)


def _as_filed(rows: list[DataRow], labels: dict[str, str], schemas: dict[str, dict[str, Any]],
              events: list[EventView], tasks: list[TaskView], start_form: str | None
              ) -> tuple[list[DataRow], dict[str, str]]:
    """The case data as an applicant may read it: a value a form submitted (its own start
    form, a step done) under that form's title, so what it filed reads as filed (问题类别, not
    the office's 问题类别（核定） before the office decided); a value an open step's form is
    still to decide (a unit the system proposed) is not shown as if decided."""
    form_of = {t.id: t.form_key for t in tasks}
    set_by: dict[str, str | None] = {}
    for event in events:
        if event.type in ("started", "completed"):
            form = _submitted_by(event, start_form, form_of)
            for key in (event.payload or {}).get("data") or {}:
                set_by[key] = form
    open_fields = {name for t in tasks if t.status == "ready" and t.form_key
                   for name, prop in ((schemas.get(t.form_key) or {}).get("properties")
                                      or {}).items()
                   if isinstance(prop, dict) and not prop.get("readOnly")}
    titles = dict(labels)
    for key, form in set_by.items():
        prop = ((schemas.get(form or "") or {}).get("properties") or {}).get(key)
        if isinstance(prop, dict) and isinstance(prop.get("title"), str):
            titles[key] = prop["title"]
    shown = [replace(r, label=titles.get(r.name, r.label)) for r in rows
             if r.name in set_by or r.name not in open_fields]
    return shown, titles


def _submitted_by(event: EventView, start_form: str | None,
                  form_of: dict[str, str | None]) -> str | None:
    """The form whose data the event carries: the start form, a completed task's form."""
    if event.type == "started":
        return start_form
    if event.type == "completed":
        return form_of.get(event.task_id or "")
    return None


def _asked_afresh(schemas: dict[str, dict[str, Any]]) -> set[str]:
    """Fields a step asks afresh each time (``"x-default": "blank"``, an approval's 审批结果):
    a decision taken again, not a correction of the one before."""
    return {name for schema in schemas.values()
            for name, prop in (schema.get("properties") or {}).items()
            if isinstance(prop, dict) and prop.get("x-default") == "blank"}


def _titles(schemas: dict[str, dict[str, Any]], form: str | None) -> dict[str, str]:
    """Field name -> title in the form ``form`` (none for no form)."""
    props = (schemas.get(form or "") or {}).get("properties") or {}
    return {name: prop["title"] for name, prop in props.items()
            if isinstance(prop, dict) and isinstance(prop.get("title"), str)}


def _as_worked(schemas: dict[str, dict[str, Any]], start_form: str | None,
               tasks: list[TaskView]) -> list[dict[str, Any]]:
    """The forms in the order the case met them: its start form, then its tasks' forms as
    the tasks opened, then the rest (a clue's 线索来源 before its 审批结果, not by form key)."""
    met = dict.fromkeys([start_form, *(t.form_key for t in tasks), *schemas])
    return [schemas[key] for key in met if key in schemas]


def _foreign_schema(eng: Any, schemas: dict[str, dict[str, Any]], data: dict[str, Any]
                    ) -> dict[str, dict[str, Any]]:
    """Data from another procedure (a message's payload), declared as the form that asked for
    it there declares it: labelled by its title, choices by their labels, people by name."""
    declared = {name for schema in schemas.values()
                for name in (schema or {}).get("properties") or {}}
    wanted = set(data) - declared
    if not wanted:
        return {}
    known = field_schemas(eng)
    found = {k: known[k] for k in data if k in wanted and k in known}  # in the data's order
    return {FOREIGN: {"type": "object", "properties": found}} if found else {}


def _policy_fields(schemas: dict[str, dict[str, Any]]) -> set[str]:
    """Policy fields (x-policy) hold a policy number: shown with the policy's name."""
    return {name for schema in schemas.values()
            for name, prop in ((schema or {}).get("properties") or {}).items()
            if isinstance(prop, dict) and "x-policy" in prop}


def _process_or_readable(readable: Callable[[str, Any], Any], process_names: dict[str, str],
                         name: str, value: Any) -> Any:
    """The engine's answer to a case that started another names that procedure by its key:
    shown by its name (受理流程: 问题线索受理处置, not clue_triage)."""
    if name == STARTED_PROCESS and isinstance(value, str):
        return process_names.get(value, value)
    return readable(name, value)


def _policy_or_readable(readable: Callable[[str, Any], Any], policy_fields: set[str],
                        named: dict[str, str], name: str, value: Any) -> Any:
    if name in policy_fields and isinstance(value, str):
        return named.get(value, value)
    return readable(name, value)


def _person_fields(schemas: dict[str, dict[str, Any]]) -> set[str]:
    """Person fields (x-user) hold a username: shown by name like the history's."""
    return {name for schema in schemas.values()
            for name, prop in ((schema or {}).get("properties") or {}).items()
            if isinstance(prop, dict) and "x-user" in prop}


def _for_applicant(item: TimelineItem, applicant: str, people: dict[str, str]) -> TimelineItem:
    """The step as its applicant sees it: the staff member who did it is not named."""
    mine = item.user == person(applicant, people)
    return item if mine else replace(item, user=None)


def is_insider(user: UserView | None) -> bool:
    """An auditor or designer: reads the engine's own names (variables by key, usernames,
    procedure versions), which mean nothing to the staff who work the cases."""
    return user is not None and bool(INSIDERS & set(user.roles))


def person(username: str | None, people: dict[str, str]) -> str | None:
    """「王强（浮梁县纪委监委）」: who acted, by name and unit (``people``: engine
    ``shown_names``), never by the username they sign in with."""
    if not username:
        return None
    if username == "system":  # the engine's own steps (timers, scripts, messages)
        return _("系统")
    return people.get(username) or username


def named(username: str | None, people: dict[str, str], with_username: bool = True) -> Markup:
    """A person by display name, the username after it (small) for readers who need it."""
    if not username:
        return Markup("")
    if username == "system":
        return Markup(escape(_("系统")))
    shown = people.get(username) or username
    if not with_username or shown == username:
        return Markup(escape(shown))
    return Markup('{} <small class="username">{}</small>').format(shown, username)


def _person_or_readable(readable: Callable[[str, Any], Any], user_fields: set[str],
                        people: dict[str, str], name: str, value: Any) -> Any:
    if name in user_fields and isinstance(value, str):
        return person(value, people) or value
    return readable(name, value)


def _readable(fields: list[forms.Field], name: str, value: Any, *, file_fields: set[str],
              names: dict[str, str]) -> Any:
    if name in file_fields and isinstance(value, list):  # the files' names, not their hashes
        known = [names[v] for v in value if v in names]
        elsewhere = len(value) - len(known)  # files of the case the data came from
        return known + ([_("%(n)d 个文件（在来源案件中）", n=elsewhere)] if elsewhere else [])
    label = forms.choice_label(fields, name, value)
    if label is not None:
        return label
    shaped = next((f for f in fields if f.name == name and f.kind in ("rows", "object")), None)
    if shaped is not None and shaped.kind == "rows" and isinstance(value, list) \
            and value and all(isinstance(v, dict) for v in value):
        columns = [c for c in shaped.columns if any(c.name in v for v in value)]
        return Grid([c.title for c in columns],
                    [[_part(c, v.get(c.name)) for c in columns] for v in value])
    if shaped is not None and shaped.kind == "object" and isinstance(value, dict):
        return Entries([(p.title, _part(p, value[p.name])) for p in shaped.columns
                        if value.get(p.name) not in (None, "", [])])
    return _part(next((f for f in fields if f.name == name and f.money), None), value,
                 as_is=True)


def _part(f: forms.Field | None, value: Any, as_is: bool = False) -> Any:
    """A value as the case shows it: a choice by its label, an amount as 480,000元 (the
    number alone under a title that names its unit, 申请金额（元）); else as it is
    (``as_is``) or as a line."""
    label = next((c.label for c in f.choices if c.value == value), None) if f else None
    if label is not None:
        return label
    if f is not None and f.money and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        # shown so, the data keeps the number; the field's unit is "" where its title says it
        # (申请金额（元）)
        return fmt.money(value, f.unit)
    return value if as_is else fmt.short_value(value, 200)
