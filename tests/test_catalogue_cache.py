"""The catalogues of ``x-catalogue`` fields (engine/definitions/catalogue_items.py) are parsed
once and kept while the deployed decision file's text and the unit directory hold: a start
with a catalogue field does not read and parse every deployed DMN file again."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Engine
from engine.definitions import catalogue_items
from engine.definitions.catalogue_items import Catalogue
from engine.definitions.validation import SourceFile
from tests.process_helpers import PROCESSES, definitions, load_units
from tests.test_process_intermediary_clue import REPORT, clue_files


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The decisions parsed from a deployed file, in order."""
    seen: list[str] = []
    parse = catalogue_items._items

    def counted(tree: Any, decision: str, found: Any) -> Catalogue | None:
        seen.append(decision)
        return parse(tree, decision, found)

    monkeypatch.setattr(catalogue_items, "_items", counted)
    return seen


@pytest.fixture
def gov(engine: Engine) -> Engine:
    engine.deploy([*clue_files(),
                   *definitions(["policy_catalogue.dmn", "commitment_check_catalogue.dmn"],
                                [])])
    engine.add_user("qiye", ["enterprise"], unit="景德镇某建材有限公司")
    return load_units(engine)


def item_name(engine: Engine, number: str, decision: str = "intermediary_catalogue") -> str:
    with engine.transaction(read_only=True) as session:
        found = catalogue_items.catalogue(session, decision)
    assert found is not None
    return next(i.name for i in found.items if i.value == number)


def test_starts_with_a_catalogue_field_parse_it_once(gov: Engine, parses: list[str]) -> None:
    for _ in range(3):
        gov.start("intermediary_clue", {**REPORT, "intermediary_item": "ZJ-001"}, "qiye")
    assert item_name(gov, "ZJ-001") == "建设工程施工图设计文件审查"
    assert parses == ["intermediary_catalogue"]


def test_a_new_text_of_the_decision_file_is_parsed_again(gov: Engine,
                                                         parses: list[str]) -> None:
    assert item_name(gov, "ZJ-001") == "建设工程施工图设计文件审查"
    text = (PROCESSES / "intermediary_catalogue.dmn").read_text(encoding="utf-8")
    gov.deploy([SourceFile("intermediary_catalogue.dmn",
                           text.replace("建设工程施工图设计文件审查", "施工图设计文件审查"))])
    assert item_name(gov, "ZJ-001") == "施工图设计文件审查"
    assert item_name(gov, "ZJ-001") == "施工图设计文件审查"
    assert parses == ["intermediary_catalogue"] * 2


def test_a_changed_unit_directory_is_read_again(gov: Engine, parses: list[str]) -> None:
    with gov.transaction(read_only=True) as session:
        before = catalogue_items.catalogue(session, "intermediary_catalogue")
    assert before is not None and before.items[0].unit == "市住建局"
    units = (PROCESSES / "units.csv").read_text(encoding="utf-8")
    gov.import_units(units.replace("jdz.zjj,市住建局,", "jdz.zjj,市住房城乡建设局,"))
    with gov.transaction(read_only=True) as session:
        after = catalogue_items.catalogue(session, "intermediary_catalogue")
    assert after is not None and after.items[0].unit == "市住房城乡建设局"
    assert parses == ["intermediary_catalogue"] * 2


def test_the_kept_catalogues_are_bounded(gov: Engine, parses: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_items, "KEPT_MAX", 1)
    item_name(gov, "ZJ-001")
    item_name(gov, "JS-002", "policy_catalogue")  # drops the first
    item_name(gov, "JS-002", "policy_catalogue")
    item_name(gov, "ZJ-001")
    assert parses == ["intermediary_catalogue", "policy_catalogue", "intermediary_catalogue"]
