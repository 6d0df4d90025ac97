"""Ledgers (台账): one row per case with its deadlines and whether each was met, as data for
web tables and as .csv / .xlsx files; the monthly ledger of one unit for the monthly reports.
Times are Beijing-time datetimes in the rows: date cells in .xlsx, "2026-10-08 17:30" as text.

Each ledger is a process plus the columns its cases carry; deadlines come from the task
table (due_at against completed_at), so the ledger needs no workflow deserialization; a
ledger's follow-ups (跟踪督办) are its cases' completed tasks of one step, the last one's
text read from the event that completed it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.registry import latest_forms
from engine.errors import NotFound
from engine.messages import msg
from engine.org import directory, users
from engine.queries.confidential import MASK
from engine.storage.schema import Event, ProcessInstance, Task
from engine.time import instants
from engine.time.calendar import TZ

STATUS = {"running": "办理中", "completed": "已办结", "cancelled": "已撤销", "error": "异常"}


@dataclass(frozen=True)
class LedgerSpec:
    key: str
    title: str
    process: str
    unit_field: str  # the data field naming the responsible unit (monthly ledgers per unit)
    columns: tuple[tuple[str, str], ...]  # (header, data field)
    deadlines: tuple[tuple[str, str], ...]  # (header, user task element id)
    people: frozenset[str] = frozenset()  # data fields holding a username: shown by name
    # (user task element id, its form's field saying what was done): the 跟踪督办 columns,
    # the last follow-up's date and text and how many there were
    follow_up: tuple[str, str] | None = None

    @property
    def follow_up_headers(self) -> tuple[str, ...]:
        return FOLLOW_UP_HEADERS if self.follow_up else ()


FOLLOW_UP_HEADERS = ("最近跟踪督办", "督办次数")
FOLLOW_UP_TEXT = 40  # characters of the last follow-up's text a cell shows


LEDGERS = {
    "clue": LedgerSpec(
        "clue", "问题线索台账", "clue_triage", "handler_unit",
        (("收到时间", "received_at"), ("线索来源", "channel"), ("被反映单位", "accused_unit"),
         ("问题类型", "problem_type"), ("承办部门", "handler_unit"), ("责任人", "owner"),
         ("处置方式", "disposal"), ("核查结论", "verify_result"),
         ("处理结果", "outcome_summary")),
        (("呈批处置", "propose"), ("审批", "approve"), ("转办到位", "transfer"),
         ("核查", "verify")),
        frozenset({"owner"}),
        ("follow_up", "progress"),  # 案件监督管理室 每周跟踪进展
    ),
    "legacy": LedgerSpec(
        "legacy", "“新官不理旧账”问题台账", "legacy_case", "unit",
        (("问题类型", "clue_type"), ("市场主体", "enterprise"), ("涉及政府机构", "respondent"),
         ("涉及金额（万元）", "amount"), ("牵头部门", "lead_department"), ("责任单位", "unit"),
         ("行业主管部门", "sector_regulator"), ("处理意见", "handling"),
         ("办结审核意见", "closing_note")),
        (("移交", "register_transfer"), ("核实处理", "verify_propose"), ("办结", "close_case")),
    ),
    # 方案 二2: 分类归纳，建立台账，形成具体问题整改清单; 3: 明确整改任务、完成时限、责任领导和
    # 具体责任人员，实行销号管理
    "intermediary": LedgerSpec(
        "intermediary", "行政审批中介服务问题线索台账", "intermediary_clue", "responsible_unit",
        (("线索来源", "channel"), ("所在地区", "region"),
         ("中介服务机构", "intermediary_name"), ("中介服务事项", "item_name"),
         ("问题类别", "problem_category"), ("责任单位", "responsible_unit"),
         ("整改任务", "rectify_task"), ("完成时限", "rectify_deadline"),
         ("责任领导", "responsible_leader"), ("具体责任人员", "responsible_person"),
         ("处理结果", "outcome")),
        (("分类转办", "classify"), ("制定整改措施", "plan"), ("落实整改", "rectify"),
         ("核验销号", "confirm")),
    ),
}


@dataclass
class Ledger:
    spec: LedgerSpec
    headers: list[str]
    rows: list[list[Any]]
    instance_ids: list[int] = field(default_factory=list)  # the case of each row

    @property
    def kinds(self) -> dict[str, str]:
        """The columns a page lays out on their own, by header: ``person`` naming a person
        (责任人, a name kept on one line), ``gist`` the last follow-up's text (wide enough to
        read)."""
        out = {h: "person" for h, name in self.spec.columns if name in self.spec.people}
        out.update({h: "gist" for h in self.spec.follow_up_headers[:1]})
        return out

    def revealed(self, fields: frozenset[str]) -> dict[int, list[str]]:
        """The ``fields`` (confidential, shown in clear) each case's row holds a value of."""
        columns = [(i + 2, name) for i, (_, name) in enumerate(self.spec.columns)
                   if name in fields]
        out = {}
        for instance_id, row in zip(self.instance_ids, self.rows, strict=True):
            held = sorted(name for i, name in columns if row[i] not in (None, ""))
            if held:
                out[instance_id] = held
        return out

    def text_rows(self) -> list[list[Any]]:
        """The rows with times as text (CSV, the command line)."""
        return [[_local(v) if isinstance(v, datetime) else v for v in row] for row in self.rows]

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.headers)
        writer.writerows([[_csv_cell(v) for v in row] for row in self.text_rows()])
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 CSV with a BOM

    def to_xlsx(self) -> bytes:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = self.spec.title[:31]
        sheet.append(self.headers)
        amounts = {i for i, h in enumerate(self.headers) if AMOUNT_HEADER.search(h)}
        for row in self.rows:
            sheet.append([_cell(v) for v in row])
            for i, cell in enumerate(sheet[sheet.max_row]):
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif i in amounts and _number(cell.value):
                    cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
                elif isinstance(cell.value, str) and _looks_like_formula(cell.value):
                    cell.data_type = "s"  # text as given, never a formula
                    cell.quotePrefix = True  # and Excel keeps it text when it is edited
        for column, header in enumerate(self.headers):
            longest = max([_width(header), *(_width(row[column]) for row in self.rows)])
            letter = sheet.cell(1, column + 1).column_letter
            sheet.column_dimensions[letter].width = min(max(8, longest + 2), 50)
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


# Formula injection (OWASP "CSV injection"): a spreadsheet takes a cell starting with one of
# these as a formula. Case data is typed by the public (clue texts, enterprise names), so a
# .csv prefixes such text with a single quote, and an .xlsx stores it as a text cell (with
# Excel's quote-prefix style) and leaves the text as it is. Numbers are never touched.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


# A header naming its unit (涉及金额（万元）): the cells hold the number, shown with separators.
AMOUNT_HEADER = re.compile(r"（万?元）")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = str(value)
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value


def _width(value: Any) -> int:
    """A cell's width in Excel's units: CJK characters take two, a time 16."""
    if isinstance(value, datetime):
        return 16
    return sum(2 if ord(c) > 0x2E80 else 1 for c in str(value or ""))


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):  # Excel's dates have no zone: Beijing time, as shown
        return value.astimezone(TZ).replace(tzinfo=None)
    if isinstance(value, (dict, list)):
        value = str(value)
    if isinstance(value, str):  # .xlsx cannot hold C0 control characters
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def build(session: Session, key: str, now: datetime, unit: str | None = None,
          month: date | None = None, hidden: frozenset[str] = frozenset(),
          readable: ColumnElement[bool] | None = None) -> Ledger:
    """``hidden``: confidential fields whose cells are masked for the reader; ``readable``:
    the cases the reader may read (engine/queries/visibility.py; None: every case)."""
    spec = LEDGERS.get(key)
    if spec is None:
        raise NotFound(msg("ledger.not_found", key=key, known=", ".join(LEDGERS)))
    if unit is not None:
        unit = _unit_name(session, unit)
    instances = list(session.execute(
        select(ProcessInstance).where(ProcessInstance.process_key == spec.process,
                                      true() if readable is None else readable)
        .order_by(ProcessInstance.created_at, ProcessInstance.id)).scalars())
    tasks = _tasks_by_instance(session, [i.id for i in instances])
    headers = ["编号", "登记时间", *(h for h, _ in spec.columns), "状态"]
    for title, _ in spec.deadlines:
        headers += [f"{title}期限", f"{title}是否按期"]
    headers += spec.follow_up_headers
    follow_ups = _follow_ups(session, spec, tasks, hidden)
    rows, ids = [], []
    titles = _choice_titles(session, {name for _, name in spec.columns})
    names = users.display_names(session, (
        str(inst.data[f]) for inst in instances for f in spec.people if inst.data.get(f)))
    for inst in instances:
        if unit is not None and inst.data.get(spec.unit_field) != unit:
            continue
        if month is not None and not _in_month(inst.created_at, month):
            continue
        row: list[Any] = [inst.business_key or f"#{inst.id}", inst.created_at.astimezone(TZ)]
        row += [_shown(_titled(_named(inst.data.get(name, ""), name in spec.people, names),
                               titles.get(name, {})), name in hidden)
                for _, name in spec.columns]
        row.append(STATUS.get(inst.status, inst.status))
        for _, element in spec.deadlines:
            row += _deadline(tasks.get((inst.id, element), []), now)
        if spec.follow_up:
            row += follow_ups.get(inst.id, ["", 0])
        rows.append(row)
        ids.append(inst.id)
    return Ledger(spec, headers, rows, ids)


def _named(value: Any, person: bool, names: dict[str, str]) -> Any:
    """A user's display name in place of their username (责任人)."""
    return names.get(value, value) if person and isinstance(value, str) else value


_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")  # an engine's name for a choice


def _choice_titles(session: Session, columns: set[str]) -> dict[str, dict[str, str]]:
    """The titles of the coded choices (``oneOf`` const and title) of the ledger's columns, as
    the newest forms name them: a cell shows 集体研究会商, never the code ``deliberate``."""
    out: dict[str, dict[str, str]] = {}
    for text in latest_forms(session).values():
        for name, prop in (json.loads(text).get("properties") or {}).items():
            if name in columns and isinstance(prop, dict) and isinstance(prop.get("oneOf"), list):
                out.setdefault(name, {}).update(
                    {str(o["const"]): str(o["title"]) for o in prop["oneOf"]
                     if isinstance(o, dict) and "const" in o and "title" in o})
    return out


def _titled(value: Any, titles: dict[str, str]) -> Any:
    """A choice's title in place of its code (``deliberate``); a choice whose value is already
    words (吃拿卡要), and a value that is no choice, as it is."""
    if isinstance(value, str) and _CODE.fullmatch(value):
        return titles.get(value, value)
    return value


def _shown(value: Any, hidden: bool) -> Any:
    if hidden and value not in (None, ""):
        return MASK
    if isinstance(value, str):  # a form's date-time, as stored
        return instants.parsed(value) or value
    return value


def _unit_name(session: Session, text: str) -> str:
    """The directory's name of the unit ``text`` names (cases hold that name, a clerk may type
    an alias); a name the directory does not know is refused beside the unit field, naming the
    closest. Without a directory, names are compared as written."""
    found = directory.load(session)
    return found.resolve(text).name if found else text


def _tasks_by_instance(session: Session, ids: list[int]) -> dict[tuple[int, str], list[Task]]:
    out: dict[tuple[int, str], list[Task]] = {}
    if not ids:
        return out
    for task in session.execute(select(Task).where(Task.instance_id.in_(ids))
                                .order_by(Task.created_at)).scalars():
        out.setdefault((task.instance_id, task.element_id), []).append(task)
    return out


def _deadline(tasks: list[Task], now: datetime) -> list[Any]:
    """The last occurrence's due time and whether it was (or so far is) met."""
    if not tasks:
        return ["", ""]
    task = tasks[-1]
    if task.due_at is None:
        return ["", ""]
    due = task.due_at.astimezone(TZ)
    if task.status == "completed" and task.completed_at is not None:
        return [due, "是" if task.completed_at <= task.due_at else "否（超期）"]
    if task.status == "ready":
        return [due, "已超期" if now > task.due_at else "办理中"]
    return [due, "未办理（已撤销）"]


def _follow_ups(session: Session, spec: LedgerSpec, tasks: dict[tuple[int, str], list[Task]],
                hidden: frozenset[str]) -> dict[int, list[Any]]:
    """Each case's [最近跟踪督办, 督办次数]: the date and the (shortened) text of its last
    completed follow-up, and how many it completed; cases without one are left out."""
    if spec.follow_up is None:
        return {}
    element, text_field = spec.follow_up
    done: dict[int, list[tuple[datetime, Task]]] = {}
    for (instance_id, elem), found in tasks.items():
        if elem == element:
            done[instance_id] = sorted(((t.completed_at, t) for t in found
                                        if t.status == "completed" and t.completed_at),
                                       key=lambda pair: pair[0])
    last = {instance_id: pairs[-1] for instance_id, pairs in done.items() if pairs}
    if not last:
        return {}
    # by the case's index: the event table is the largest one
    said: dict[str | None, dict[str, Any]] = {
        task_id: payload for task_id, payload in session.execute(
            select(Event.task_id, Event.payload).where(
                Event.instance_id.in_(list(last)), Event.type == "completed",
                Event.task_id.in_([task.id for _, task in last.values()])))}
    out = {}
    for instance_id, (at, task) in last.items():
        data = (said.get(task.id) or {}).get("data") or {}
        text = " ".join(str(data.get(text_field) or "").split())
        if len(text) > FOLLOW_UP_TEXT:
            text = text[:FOLLOW_UP_TEXT - 1] + "…"
        if text and text_field in hidden:
            text = MASK
        day = at.astimezone(TZ).strftime("%Y-%m-%d")
        out[instance_id] = [f"{day} {text}".rstrip(), len(done[instance_id])]
    return out


def _local(value: datetime) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _in_month(value: datetime, month: date) -> bool:
    local = value.astimezone(TZ)
    return (local.year, local.month) == (month.year, month.month)
