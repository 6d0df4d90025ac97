"""An official document is issued by the unit that runs its case: a county's clue gets a
交办函 in the county 纪委监委's name, numbered in the county's own sequence under its 发文代字
(the directory's doc_code), the city's keeps 景纪交 (engine/files/documents.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import Conflict, EngineError
from engine.files import chinese, documents
from engine.files import pdf as pdf_tool
from engine.org.directory import Directory, Unit, parse
from tests.files_support import require_pdf_tools
from tests.process_helpers import (
    PROCESSES,
    case_task,
    clue_files,
    docx_text,
    transferred_clue,
)

CITY_ISSUER = "中共景德镇市纪律检查委员会　景德镇市监察委员会"
FULIANG_ISSUER = "中共浮梁县纪律检查委员会　浮梁县监察委员会"
LEPING_ISSUER = "中共乐平市纪律检查委员会　乐平市监察委员会"
CLUE: dict[str, Any] = {
    "channel": "举报直通车", "received_at": "2026-09-30T09:12:00+08:00", "anonymous": True,
    "accused_unit": "某县行政审批局", "problem_type": "推诿拖延刁难",
    "summary": "企业办理施工许可被要求补充清单外材料。",
}


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units((PROCESSES / "units.csv").read_text(encoding="utf-8"))
    engine.deploy(clue_files())
    for place, unit in (("fl", "浮梁县纪委监委"), ("lp", "乐平市纪委监委")):
        engine.add_user(f"intake_{place}", ["intake"], unit=unit)
        engine.add_user(f"approver_{place}", ["approver"], unit=unit)
        engine.add_user(f"cm_{place}", ["case_manager"], unit=unit)
    engine.add_user("intake_city", ["intake"], unit="市纪委市监委信访室")
    engine.add_user("approver_city", ["approver"], unit="市纪委市监委")
    engine.add_user("cm_city", ["case_manager"], unit="市纪委市监委案件监督管理室")
    return engine


def transferred(engine: Engine, place: str, handler_unit: str) -> int:
    return transferred_clue(engine, CLUE, place, handler_unit)


def letters(engine: Engine, case: int, user: str) -> list[tuple[str, str]]:
    return [(f.doc_no or "", docx_text(engine.dossier.content(f)))
            for f in engine.dossier.files(case, user) if f.document]


def test_city_and_counties_issue_their_own_letters_in_their_own_sequences(city: Engine
                                                                          ) -> None:
    fl_first = transferred(city, "fl", "浮梁县纪委监委")
    lp_first = transferred(city, "lp", "乐平市纪委监委")
    city_first = transferred(city, "city", "乐平市纪委监委")
    fl_second = transferred(city, "fl", "浮梁县纪委监委")

    issued = {case: letters(city, case, user) for case, user in (
        (fl_first, "intake_fl"), (lp_first, "intake_lp"), (city_first, "intake_city"),
        (fl_second, "intake_fl"))}
    assert [doc_no for case in (fl_first, lp_first, city_first, fl_second)
            for doc_no, _ in issued[case]] == [
        "浮纪交〔2026〕1号", "乐纪交〔2026〕1号", "景纪交〔2026〕1号", "浮纪交〔2026〕2号"]
    for case, issuer, other in ((fl_first, FULIANG_ISSUER, CITY_ISSUER),
                                (lp_first, LEPING_ISSUER, CITY_ISSUER),
                                (city_first, CITY_ISSUER, FULIANG_ISSUER)):
        [(doc_no, text)] = issued[case]
        # the letterhead, one organ a line, and the signature
        letterhead = issuer.replace("\u3000", "\n")
        assert text.startswith(letterhead) and issuer in text and other not in text
        assert doc_no in text
    [name] = [f.name for f in city.dossier.files(fl_first, "intake_fl") if f.document]
    assert name.endswith("-浮纪交〔2026〕1号.docx")
    # the case page offers each document with the prefix this case numbers it under
    offered = {t.key: t.prefix for t in city.dossier.templates(fl_first, "cm_fl")}
    assert offered["duban_han"] == "浮纪督"
    assert {t.key: t.prefix for t in city.dossier.templates(city_first, "cm_city")}[
        "duban_han"] == "景营商督"


def test_a_county_case_manager_s_supervision_letter_is_the_county_s(city: Engine) -> None:
    county, town = transferred(city, "fl", "浮梁县纪委监委"), transferred(city, "city",
                                                                         "乐平市纪委监委")
    county_letter = city.dossier.issue(county, "duban_han", "cm_fl")
    city_letter = city.dossier.issue(town, "duban_han", "cm_city")
    assert (county_letter.doc_no, city_letter.doc_no) == ("浮纪督〔2026〕1号",
                                                          "景营商督〔2026〕1号")
    assert FULIANG_ISSUER in docx_text(city.dossier.content(county_letter))
    assert "景德镇市优化营商环境工作指挥部办公室" in docx_text(
        city.dossier.content(city_letter))
    # the city's supervisors urging a county's case write in the city's name and sequence
    urged = city.dossier.issue(county, "duban_han", "cm_city")
    assert urged.doc_no == "景营商督〔2026〕2号"
    # (the county's 纪委监委 is the addressee, the handler unit, not the issuer)
    assert docx_text(city.dossier.content(urged)).startswith("景德镇市优化营商环境工作指挥部办公室")
    assert {t.key: t.prefix for t in city.dossier.templates(county, "cm_city")}[
        "duban_han"] == "景营商督"
    assert city.replay(county).ok


def test_the_county_letter_as_pdf_names_the_county(city: Engine) -> None:
    require_pdf_tools()
    case = transferred(city, "fl", "浮梁县纪委监委")
    [letter] = [f for f in city.dossier.files(case, "intake_fl") if f.document]
    rendered = pdf_tool.to_pdf(city.dossier.content(letter))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=rendered,
                          check=True, capture_output=True).stdout.decode("utf-8")
    squeezed = "".join(text.split())
    assert "中共浮梁县纪律检查委员会" in squeezed and "浮纪交〔2026〕1号" in squeezed
    assert "景德镇市纪律检查委员会" not in squeezed


def test_a_county_unit_without_a_doc_code_is_refused_not_numbered_as_the_city() -> None:
    found = Directory([Unit("jdz", "景德镇市", "景德镇市", kind="行政区"),
                       Unit("jdz.jw", "市纪委市监委", CITY_ISSUER, kind="纪委监委",
                            parent="jdz", doc_code="景纪"),
                       Unit("fl", "浮梁县", "浮梁县", kind="行政区", parent="jdz"),
                       Unit("fl.jw", "浮梁县纪委监委", FULIANG_ISSUER, kind="纪委监委",
                            parent="fl")])
    letter = documents.template("jiaoban_han")
    assert documents.issuer_of(letter, {"jurisdiction": "市纪委市监委"}, found) == \
        documents.Issuer(letter.issuer, "景纪交")
    with pytest.raises(EngineError) as refused:
        documents.issuer_of(letter, {"jurisdiction": "浮梁县纪委监委"}, found)
    assert refused.value.said.key == "document.no_doc_code"


def test_the_shipped_directory_gives_every_county_body_a_code() -> None:
    found = Directory(parse((PROCESSES / "units.csv").read_text(encoding="utf-8")))
    codes = {u.name: u.doc_code for u in found.units if u.kind == "纪委监委"}
    assert codes["浮梁县纪委监委"] == "浮纪" and codes["昌江区纪委监委"] == "昌纪"
    assert codes["珠山区纪委监委"] == "珠纪" and codes["乐平市纪委监委"] == "乐纪"
    assert codes["市纪委市监委"] == "景纪" and all(codes.values())
    # every unit a county-level case may run in names its own documents
    assert all(u.doc_code for u in found.units if u.parent in {"cj", "zs", "fl", "lp"})


def test_a_registry_entry_s_condition_must_be_an_expression_the_engine_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in ``when`` refuses the registry, naming the entry, instead of quietly offering
    (or withholding) the document on every case."""

    def registry(when: str) -> dict[str, documents.Template]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        entry = {"title": "交办函", "file": "jiaoban_han.docx", "prefix": "景纪交", "when": when}
        (folder / "documents.json").write_text(json.dumps({"jiaoban_han": entry}),
                                               encoding="utf-8")
        monkeypatch.setenv("KUAIBAN_DOCUMENTS_DIR", str(folder))
        return documents.templates()

    for typo in ('disposal == "转办" and approved =', "__import__('os')"):
        with pytest.raises(EngineError) as refused:
            registry(typo)
        assert refused.value.said.key == "document.when_refused"
        assert "jiaoban_han" in refused.value.message
    found = registry('disposal == "转办"')["jiaoban_han"]
    assert found.ready({"disposal": "转办"}) and not found.ready({"disposal": "暂存待查"})
    assert not found.ready({})  # a field not filled yet: not met


def test_a_supervision_letter_waits_for_work_of_its_addressee(city: Engine) -> None:
    """A 督办函 urges the work its addressee (the handler unit) holds: not while the county's
    own office still decides (its 审批 is the 纪委监委's too, by jurisdiction, not the
    handler's work), and then with the handler's deadline, not the case's soonest."""
    case = city.start("clue_triage", {**CLUE, "owner": "intake_fl"}, "intake_fl").id
    propose = case_task(city, case, "propose")
    city.complete(propose, {"disposal": "转办", "proposal_reason": "可查",
                            "handler_unit": "浮梁县纪委监委"}, "intake_fl")
    assert not {t.key: t.ready for t in city.dossier.templates(case, "cm_fl")}["duban_han"]
    with pytest.raises(Conflict, match="承办单位手头有本案待办事项"):
        city.dossier.issue(case, "duban_han", "cm_fl")
    assert not [f for f in city.dossier.files(case, "cm_fl") if f.document]  # no 文号 taken
    city.complete(case_task(city, case, "approve"), {"approved": True}, "approver_fl")
    city.complete(case_task(city, case, "transfer"), {"transfer_note": "请核查"}, "intake_fl")
    [verify] = [t for t in city.instance(case).tasks if t.name == "verify"]
    assert {t.key: t.ready for t in city.dossier.templates(case, "cm_fl")}["duban_han"]
    letter = city.dossier.issue(case, "duban_han", "cm_fl")
    assert verify.due_at is not None
    assert chinese.digits_date(verify.due_at) in docx_text(city.dossier.content(letter))
