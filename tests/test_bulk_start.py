"""Bulk start: every row checked first and reported by its line, nothing started while a row
is bad (unless skipped), resumable by row key without duplicates, and the cases started like
any other (own hash chain, engine-assigned case numbers, replay)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import BatchRow
from engine.api import Engine
from engine.cli import main
from engine.runtime.bulk import rows as batch_rows
from engine.storage.schema import Event, ProcessInstance
from tests.conftest import DIAGRAMS, diagram_files
from tests.test_api_helpers import Api, error_of, make_api

UNIT = "浮梁县纪委监委"
GOOD = {"summary": "企业反映审批超时", "unit": UNIT}


@pytest.fixture
def deployed(people: Engine) -> Engine:
    people.deploy(diagram_files("approval.bpmn"))
    return people


def rows_of(*datas: dict[str, Any], prefix: str = "t") -> list[BatchRow]:
    return [BatchRow(n + 2, data, f"{prefix}:{n + 2}") for n, data in enumerate(datas)]


def count(engine: Engine) -> int:
    with engine.transaction(read_only=True) as session:
        return session.execute(select(func.count()).select_from(ProcessInstance)).scalar_one()


def test_a_bad_row_refuses_the_whole_batch_and_names_every_bad_line(deployed: Engine) -> None:
    rows = rows_of(GOOD, {"unit": UNIT}, GOOD, {**GOOD, "case_no": "TS-2026-999999"})
    report = deployed.start_batch("approval", rows, "li")
    assert report.refused and not report.started
    assert [(p.line, sorted(p.fields)) for p in report.invalid] == [(3, ["summary"]),
                                                                    (5, ["case_no"])]
    assert count(deployed) == 0


def test_skip_invalid_starts_the_good_rows_with_their_own_numbers(deployed: Engine) -> None:
    rows = rows_of(GOOD, {"unit": UNIT}, {**GOOD, "summary": "第二件"})
    report = deployed.start_batch("approval", rows, "li", skip_invalid=True)
    assert not report.refused and [p.line for p in report.invalid] == [3]
    assert [s.line for s in report.started] == [2, 4]
    numbers = [s.business_key for s in report.started]
    assert numbers == ["TS-2026-000001", "TS-2026-000002"]
    case = deployed.instance(report.started[1].instance_id)
    assert case.data["summary"] == "第二件" and case.data["case_no"] == numbers[1]
    assert [t.name for t in case.tasks] == ["propose"]
    checked, problems = deployed.verify()
    assert (checked, problems) == (2, [])
    history = deployed.history(report.started[0].instance_id)
    assert history[0].type == "started" and history[0].payload["start_key"] == "t:2"


def test_a_crash_mid_file_resumes_without_duplicates(deployed: Engine) -> None:
    rows = rows_of(*({**GOOD, "summary": f"第{n}件"} for n in range(7)))

    def crash_after_first_chunk(done: int) -> None:
        if done and count(deployed) >= 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the process killed

    with pytest.raises(KeyboardInterrupt):
        deployed.bulk.run("approval", rows, "li", chunk=3, progress=crash_after_first_chunk)
    assert count(deployed) == 3
    again = deployed.bulk.run("approval", rows, "li", chunk=3)
    assert [s.line for s in again.already] == [2, 3, 4]
    assert [s.line for s in again.started] == [5, 6, 7, 8]
    assert count(deployed) == 7
    third = deployed.start_batch("approval", rows, "li")
    assert not third.started and len(third.already) == 7
    with deployed.transaction(read_only=True) as session:
        keys = session.execute(select(ProcessInstance.start_key)).scalars().all()
        started = session.execute(select(func.count()).select_from(Event)
                                  .where(Event.type == "started")).scalar_one()
    assert sorted(keys) == sorted(r.key for r in rows) and started == 7
    assert deployed.verify() == (7, [])


def test_the_same_key_twice_in_a_batch_is_a_bad_row(deployed: Engine) -> None:
    rows = [BatchRow(2, GOOD, "k"), BatchRow(3, GOOD, "k")]
    report = deployed.start_batch("approval", rows, "li")
    assert report.refused and [str(p) for p in report.invalid] == [
        'line 3: the row key "k" is also the key of line 2']


def test_only_the_start_lane_may_start_a_batch(deployed: Engine) -> None:
    from engine import PermissionDenied

    with pytest.raises(PermissionDenied):
        deployed.start_batch("approval", rows_of(GOOD), "wang")
    assert count(deployed) == 0


def test_csv_cells_take_the_forms_types(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("n,ok,note,tags\n3,是,\"两行\n说明\",\"[1,2]\"\nx,maybe,,\n", "utf-8")
    schema = {"properties": {"n": {"type": "integer"}, "ok": {"type": "boolean"},
                             "note": {"type": "string"}, "tags": {"type": "array"}}}
    rows, problems = batch_rows.read(path, schema, "p")
    assert rows == [BatchRow(2, {"n": 3, "ok": True, "note": "两行\n说明", "tags": [1, 2]},
                             "p:rows.csv:2")]
    assert [(p.line, sorted(p.fields)) for p in problems] == [(4, ["n", "ok"])]


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "KUAIBAN_NOW": "2026-09-30T16:00:00+08:00"}

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(main, list(args), env=env)
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result

    run("deploy", str(DIAGRAMS / "approval.bpmn"), str(DIAGRAMS / "forms"))
    run("users", "add", "li", "--role", "intake", "--password", "pw-li-0123456789")
    return run


def test_cli_reports_bad_csv_lines_and_starts_nothing(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "campaign.csv"
    path.write_text(f"summary,unit\n第一件,{UNIT}\n,{UNIT}\n第三件\n第四件,{UNIT}\n", "utf-8")
    refused = cli("start", "approval", "--batch", str(path), "--as", "li", code=1)
    assert f"{path}:line 3: The form has errors (summary:" in refused.stderr
    assert f"{path}:line 4: 1 cells, the header has 2" in refused.stderr
    assert "nothing was started" in refused.stderr
    assert json.loads(cli("tasks", "--json").stdout) == []
    skipped = cli("start", "approval", "--batch", str(path), "--as", "li", "--skip-invalid")
    assert "2 started, 0 started before, 2 invalid, of 4 row(s)" in skipped.stdout
    assert "starting approval" in skipped.stderr  # the progress bar
    again = cli("start", "approval", "--batch", str(path), "--as", "li", "--skip-invalid")
    assert "0 started, 2 started before" in again.stdout
    assert "0 broken" in cli("verify").stderr
    assert "2 instance(s) replayed, 0 diverged" in cli("replay", "--all").stdout


def test_cli_jsonl_with_a_key_column(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    lines = [json.dumps({"id": f"A{n}", "summary": f"第{n}件", "unit": UNIT},
                        ensure_ascii=False) for n in range(3)]
    path.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n", "utf-8")
    bad = cli("start", "approval", "--batch", str(path), "--as", "li", "--key-column", "id",
              code=1)
    assert f"{path}:line 2: not valid JSON" in bad.stderr
    path.write_text("\n".join(lines) + "\n", "utf-8")
    ok = cli("start", "approval", "--batch", str(path), "--as", "li", "--key-column", "id")
    assert "3 started" in ok.stdout
    moved = tmp_path / "renamed.jsonl"  # the key column names the rows, not the file
    moved.write_text(path.read_text("utf-8"), "utf-8")
    again = cli("start", "approval", "--batch", str(moved), "--as", "li", "--key-column", "id")
    assert "0 started, 3 started before" in again.stdout


# -- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api(people: Engine) -> Api:
    return make_api(people)


def test_api_bulk_start_all_or_nothing_and_resend(api: Api) -> None:
    path = "/processes/approval/instances:batch"
    refused = error_of(api.post(path, "li", json={"rows": [GOOD, {"unit": UNIT}]}), 422)
    assert list(refused["details"]) == ["2"] and "summary" in refused["details"]["2"]
    assert count(api.engine) == 0
    body = {"rows": [GOOD, {**GOOD, "summary": "第二件"}], "batch_id": "2026-10 免申即享"}
    first = api.post(path, "li", json=body)
    assert first.status_code == 201
    report = first.get_json()
    assert [s["line"] for s in report["started"]] == [1, 2] and not report["refused"]
    resent = api.post(path, "li", json=body)
    assert resent.status_code == 200
    assert [s["id"] for s in resent.get_json()["already_started"]] == [
        s["id"] for s in report["started"]]
    assert count(api.engine) == 2
    error_of(api.post(path, "li", json={"rows": [GOOD, 3]}), 400)
    error_of(api.post(path, "li", json={"rows": []}), 400)
    error_of(api.post(path, "li", json={"rows": [GOOD], "extra": 1}), 400)
    error_of(api.post("/processes/nope/instances:batch", "li", json={"rows": [GOOD]}), 404)
    error_of(api.post(path, "wang", json={"rows": [GOOD]}), 403)
