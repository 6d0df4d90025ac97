"""Routing tables name units by directory id (``directory_unit("jdz.scjg")``): the task goes
to the unit the directory names today, so a renamed unit keeps its routing, and the answer is
recorded for replay. Deploy refuses a table that names a unit the directory lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.api import Engine
from engine.cli import main
from engine.definitions.validation import SourceFile
from engine.errors import ValidationFailed
from tests.process_helpers import FORMS, PROCESSES, definitions

SHIPPED = (PROCESSES / "units.csv").read_text(encoding="utf-8")
OLD_LINE = next(line for line in SHIPPED.splitlines() if line.startswith("jdz.scjg,"))
RENAMED = SHIPPED.replace(OLD_LINE, OLD_LINE.replace(  # the old name stays as an alias
    "jdz.scjg,市市场监管局,景德镇市市场监督管理局,",
    "jdz.scjg,市市场监管总局,景德镇市市场监督管理局,市市场监管局|"))
APPLY = {
    "channel": "一网", "enterprise_name": "景德镇某陶瓷有限公司",
    "credit_code": "91360200MA35B0001M", "contact_person": "王经理",
    "contact_phone": "0798-8888888", "record_type": "经营异常名录",
    "record_no": "景市监异〔2026〕12号", "record_summary": "未按期公示2025年度报告",
    "corrective_actions": "已于2026年9月补报并公示年度报告", "commitment_accepted": True,
    "commitment_signer": "张三（法定代表人）"}


def repair_files(old: str = "", new: str = "") -> list[SourceFile]:
    """credit_repair, its routing table with ``old`` replaced by ``new``."""
    files = definitions(["credit_repair.bpmn", "credit_repair_routing.dmn"], ["credit_*.json"])
    return [SourceFile(f.name, f.content.replace(old, new)) if f.kind == "dmn" and old else f
            for f in files]


@pytest.fixture
def city(engine: Engine) -> Engine:
    engine.import_units(SHIPPED)
    engine.add_user("qiye", ["enterprise"])
    engine.add_user("scj", ["responsible_unit"], unit="市市场监管局")
    return engine


def test_a_renamed_unit_keeps_its_routing(city: Engine) -> None:
    city.deploy(repair_files())
    first = city.start("credit_repair", APPLY, "qiye")
    assert first.data["repair_dept"] == "市市场监管局"
    assert [t.unit for t in first.tasks] == ["市市场监管局"]

    report = city.import_units(RENAMED)
    assert report.renamed == {"市市场监管局": "市市场监管总局"}
    second = city.start("credit_repair", APPLY, "qiye")
    assert second.data["repair_dept"] == "市市场监管总局"
    assert [t.unit for t in second.tasks] == ["市市场监管总局"]
    assert {t.instance_id for t in city.inbox.for_user("scj")} == {first.id, second.id}
    # each case replays with the name the directory gave when it was routed
    assert city.replay(first.id).ok and city.replay(second.id).ok


def test_deploy_refuses_a_table_naming_a_unit_the_directory_lacks(city: Engine) -> None:
    with pytest.raises(ValidationFailed) as by_id:
        city.deploy(repair_files('directory_unit("jdz.scjg")', 'directory_unit("jdz.nosuch")'))
    problems = by_id.value.problems
    assert len(problems) == 2  # the two rules that routed to 市市场监管局
    for problem in problems:
        assert problem.file.endswith("credit_repair_routing.dmn") and problem.line
        assert problem.message.startswith(
            'directory_unit("jdz.nosuch"): no such unit in the unit directory')
    # a plain name in a column a diagram routes tasks by (repair_dept is a task's unit)
    with pytest.raises(ValidationFailed) as by_name:
        city.deploy(repair_files('directory_unit("jdz.zjj")', '"市住建委"'))
    [problem] = by_name.value.problems
    assert problem.message.startswith('"市住建委": no such unit in the unit directory')
    assert "市住建局" in problem.message  # the closest entry


def test_deploy_checks_every_unit_a_list_output_names(city: Engine) -> None:
    # a row may name several units, e.g. an indicator's 责任单位
    listed = '[directory_unit("jdz.zjj"), directory_unit("jdz.nosuch")]'
    with pytest.raises(ValidationFailed) as listing:
        city.deploy(repair_files('directory_unit("jdz.scjg")', listed))
    assert {p.message.split(":")[0] for p in listing.value.problems} == \
        {'directory_unit("jdz.nosuch")'}


def test_the_shipped_tables_name_only_directory_units(engine: Engine) -> None:
    engine.deploy_directory(PROCESSES, FORMS)  # loads units.csv first, then checks the tables
    assert engine.processes()


def test_validate_checks_the_tables_against_the_directory_file_given(tmp_path: Path) -> None:
    """`kuaiban validate processes/*`: clean as shipped; the directory file among the files is
    what the tables' units are checked against."""
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}"}
    shipped = [str(p) for p in sorted(PROCESSES.iterdir())]  # what the shell's * gives
    clean = runner.invoke(main, ["validate", *shipped], env=env)
    assert clean.exit_code == 0, clean.output
    (tmp_path / "units.csv").write_text(SHIPPED, encoding="utf-8")
    table = tmp_path / "credit_repair_routing.dmn"
    table.write_text((PROCESSES / table.name).read_text(encoding="utf-8").replace(
        'directory_unit("jdz.zjj")', 'directory_unit("jdz.zjw")'), encoding="utf-8")
    refused = runner.invoke(main, ["validate", str(PROCESSES / "credit_repair.bpmn"), str(table),
                                   str(tmp_path / "units.csv"), *map(str, FORMS.glob("*.json"))],
                            env=env)
    assert refused.exit_code == 1
    assert f'{table}:41: rule_4_repair_dept: directory_unit("jdz.zjw"): no such unit' \
        in refused.output
