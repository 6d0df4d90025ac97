"""The catalogues as spreadsheets: `kuaiban tables export` writes a decision table's rows with
units by name; `kuaiban tables import` loads the city's list into it after checking every row
(engine/definitions/decision_rows.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from engine.api import Engine
from engine.cli import main
from engine.definitions import decision_rows
from engine.definitions.validation import SourceFile
from tests.process_helpers import PROCESSES, load_units

HEADING = "政策编号,政策名称,设立依据,享受对象,兑现方式,规定时限（工作日）,政策主管部门,兑现标准"
CITY_LIST = f"""\ufeff{HEADING}
QY-101,稳岗补贴,景人社发〔2026〕3号,参保企业,免申即享,5,市人社局,按上年失业保险费50%返还
QY-102,研发费用后补助,景科发〔2026〕8号,高新技术企业,即申即享,10,jdz.kjj,按研发投入5%补助
QY-103,首次进规奖励,景工信发〔2026〕1号,新进规工业企业,承诺兑现,15,工信局,一次性奖励10万元
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue beside the shipped directory, as in processes/."""
    for name in ("policy_catalogue.dmn", "intermediary_catalogue.dmn", "units.csv"):
        shutil.copy(PROCESSES / name, tmp_path / name)
    return tmp_path


def kuaiban(*args: str | Path, tmp: Path) -> Result:
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp / 'k.db'}"}
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_export_shows_units_by_name_and_an_export_loads_back_unchanged(folder: Path) -> None:
    table = folder / "policy_catalogue.dmn"
    before = table.read_text(encoding="utf-8")
    shown = kuaiban("tables", "export", table, tmp=folder)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == HEADING
    assert "directory_unit" not in shown.output
    js002 = next(line for line in lines if line.startswith("JS-002,"))
    assert js002.split(",")[6] == "市商务局"
    assert lines[-1].startswith("-,")  # the catch-all row for unlisted numbers

    written = kuaiban("tables", "export", table, "--out", folder / "list.xlsx", tmp=folder)
    assert written.exit_code == 0, written.output
    loaded = kuaiban("tables", "import", table, folder / "list.xlsx", tmp=folder)
    assert loaded.exit_code == 0, loaded.output
    after = table.read_text(encoding="utf-8")
    assert decision_rows.read(after) == decision_rows.read(before)
    assert 'directory_unit("jdz.swj")' in after  # stored by id, as before
    assert after.startswith(before[:before.index("<definitions")])  # comments kept


def test_the_citys_list_replaces_the_samples_and_is_deployed(folder: Path,
                                                             engine: Engine) -> None:
    table = folder / "policy_catalogue.dmn"
    (folder / "city.csv").write_text(CITY_LIST, encoding="utf-8")
    loaded = kuaiban("tables", "import", table, folder / "city.csv", tmp=folder)
    assert loaded.exit_code == 0, loaded.output
    assert "4 rule(s)" in loaded.output  # three policies and the catch-all row kept
    text = table.read_text(encoding="utf-8")
    # a name, an id and an alias all become the unit's id
    for unit_id in ("jdz.rsj", "jdz.kjj", "jdz.gxj"):
        assert f'directory_unit("{unit_id}")' in text

    load_units(engine).deploy([SourceFile("processes/policy_catalogue.dmn", text)])
    listed = {p.policy_id: (p.owning_dept, p.policy_mode, p.time_limit_days)
              for p in engine.policies()}
    assert listed == {"QY-101": ("市人社局", "免申即享", 5), "QY-102": ("市科技局", "即申即享", 10),
                      "QY-103": ("市工信局", "承诺兑现", 15)}


def test_a_bad_list_is_refused_line_by_line_and_nothing_is_written(folder: Path) -> None:
    table = folder / "policy_catalogue.dmn"
    before = table.read_text(encoding="utf-8")
    bad = CITY_LIST.replace(",5,市人社局,", ",五,市人社厅,").replace("QY-103,", "QY-101,")
    (folder / "bad.csv").write_text(bad + "QY-104,只有三列,依据\n", encoding="utf-8")
    refused = kuaiban("tables", "import", table, folder / "bad.csv", tmp=folder)
    assert refused.exit_code == 1
    out = refused.output
    assert "bad.csv:2: 规定时限（工作日）: '五' is not an integer" in out
    assert "bad.csv:2: 政策主管部门: 市人社厅: no such unit in the unit directory " \
           "(closest: 市人社局" in out
    assert "bad.csv:4: -: the same inputs as line 2" in out
    assert "bad.csv:5: -: 3 cell(s), the table has 8" in out
    assert table.read_text(encoding="utf-8") == before

    (folder / "heading.csv").write_text("编号,名称\nQY-1,x\n", encoding="utf-8")
    wrong = kuaiban("tables", "import", table, folder / "heading.csv", tmp=folder)
    assert wrong.exit_code == 1 and f"the heading row must be: {HEADING.replace(',', ', ')}" \
        in wrong.output
    (folder / "gbk.csv").write_bytes(CITY_LIST.replace("\ufeff", "").encode("gbk"))
    gbk = kuaiban("tables", "import", table, folder / "gbk.csv", tmp=folder)
    assert gbk.exit_code == 1 and "not UTF-8 text" in gbk.output
    assert table.read_text(encoding="utf-8") == before


def test_an_xlsx_list_with_number_cells_is_read(folder: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in CITY_LIST.lstrip("\ufeff").splitlines():
        cells: list[object] = row.split(",")
        if cells[5].isdigit():
            cells[5] = float(cells[5])  # as Excel stores a typed number
        sheet.append(cells)
    book.save(folder / "city.xlsx")
    table = folder / "policy_catalogue.dmn"
    loaded = kuaiban("tables", "import", table, folder / "city.xlsx", tmp=folder)
    assert loaded.exit_code == 0, loaded.output
    rows = decision_rows.read(table.read_text(encoding="utf-8")).rows
    assert [(r[0], r[5]) for r in rows] == [("QY-101", "5"), ("QY-102", "10"), ("QY-103", "15"),
                                           ("-", "0")]


def test_every_shipped_catalogue_names_its_departments_by_id() -> None:
    for name in ("policy_catalogue", "commitment_check_catalogue", "credit_repair_routing",
                 "legacy_routing", "intermediary_catalogue"):
        table = decision_rows.read((PROCESSES / f"{name}.dmn").read_text(encoding="utf-8"))
        units = [c for c in table.columns if c.is_unit]
        assert units, name
        for row in table.rows:
            for column, cell in zip(table.columns, row, strict=True):
                if column in units and row[0] != decision_rows.ANY:
                    assert cell.startswith("jdz."), (name, cell)  # an id: no directory given


INTERMEDIARY_HEADING = ("事项编号,中介服务事项名称,对应审批事项,审批部门（行业主管部门）,"
                        "设定依据,是否收费,收费依据及标准,办理时限（工作日）")


def test_the_intermediary_catalogue_goes_out_and_back_and_takes_the_citys_list(
        folder: Path, engine: Engine) -> None:
    """The 行政审批中介服务事项清单: exported with its 审批部门 by name, loaded back unchanged,
    then replaced by a list that names departments by name or alias, the catch-all row kept."""
    table = folder / "intermediary_catalogue.dmn"
    before = table.read_text(encoding="utf-8")
    shown = kuaiban("tables", "export", table, tmp=folder)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == INTERMEDIARY_HEADING
    zj004 = next(line for line in lines if line.startswith("ZJ-004,"))
    assert zj004.split(",")[3] == "市自然资源局"
    assert lines[-1] == "-,,,,,,,"  # the catch-all row invents no fee status nor time limit

    for out in ("list.csv", "list.xlsx"):
        written = kuaiban("tables", "export", table, "--out", folder / out, tmp=folder)
        assert written.exit_code == 0, written.output
        loaded = kuaiban("tables", "import", table, folder / out, tmp=folder)
        assert loaded.exit_code == 0, loaded.output
        assert "13 rule(s)" in loaded.output
        after = table.read_text(encoding="utf-8")
        assert decision_rows.read(after) == decision_rows.read(before)
        assert 'directory_unit("jdz.zrzyj")' in after
        assert after.startswith(before[:before.index("<definitions")])  # comments kept

    city = (f"{INTERMEDIARY_HEADING}\n"
            "ZJ-101,建设项目环境影响报告书编制,建设项目环境影响评价文件审批,住建局,"
            "《中华人民共和国环境影响评价法》,收费,市场调节价,30\n"
            "ZJ-102,地质灾害危险性评估,建设用地审批,jdz.zrzyj,《地质灾害防治条例》,收费,"
            "市场调节价,20\n")
    (folder / "city.csv").write_text(city, encoding="utf-8")
    loaded = kuaiban("tables", "import", table, folder / "city.csv", tmp=folder)
    assert loaded.exit_code == 0, loaded.output
    assert "3 rule(s)" in loaded.output  # two items and the catch-all row kept
    text = table.read_text(encoding="utf-8")
    assert 'directory_unit("jdz.zjj")' in text and 'directory_unit("jdz.zrzyj")' in text
    checked = load_units(engine).validate(
        [SourceFile("processes/intermediary_catalogue.dmn", text)])
    assert checked.problems == []
    rows = decision_rows.read(text).rows
    assert [(r[0], r[3], r[5], r[7]) for r in rows] == [
        ("ZJ-101", "jdz.zjj", "收费", "30"), ("ZJ-102", "jdz.zrzyj", "收费", "20"),
        ("-", "", "", "")]
