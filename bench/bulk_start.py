"""Bulk start: cases/s of ``Engine.start_batch`` (one case per row, chunked transactions)
against single starts (``Engine.start``, one committed transaction each) of the same process
and data, in the same run, for the shipped procedures a bulk start is for:

- ``subsidy_automatic`` (免申即享): a 政策主管部门 starts a batch per row, of its policy;
  its start looks the policy up in the catalogue (a decision table asking the unit directory)
  and branches on it before its first user task;
- ``commitment_check`` (告知承诺 核查, a campaign launch): a department opens a check per
  decision; its start looks the item up and computes the check's due date from the time.

Both start their bulk cases from start templates (engine/runtime/bulk/template.py). Taken in
rounds (single starts, then a batch of as many rows, per backend); the ratio is the median of
the rounds' ratios, so a load that comes and goes on a shared machine touches both sides of a
round alike. The headline ``bulk_vs_single`` is 免申即享's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common, throughput
from engine.api import Engine
from engine.definitions.validation import SourceFile
from engine.runtime.bulk import BatchRow

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 20
CREDIT_CODE = "91360200MA35B0001M"


def _subsidy(n: int) -> dict[str, Any]:
    return {"policy_id": "MS-001", "batch_note": f"2026年第{n}批"}  # the 市工信局's policy


def _commitment(n: int) -> dict[str, Any]:
    return {"item_id": "ZM-001", "permit_no": f"景市监住承〔2026〕{n}号",
            "granted_on": "2026-09-30", "enterprise_name": f"景德镇某陶瓷有限公司{n}",
            "credit_code": CREDIT_CODE, "legal_representative": "张三",
            "contact_phone": "0798-8888888", "business_address": "珠山区某路1号",
            "commitment_summary": "本企业对珠山区某路1号房屋享有合法使用权",
            "commitment_signed_on": "2026-09-30", "waived_materials": ["住所（经营场所）使用证明"]}


# key: (files, user's role, user's unit, a row by its number)
PROCEDURES: dict[str, tuple[tuple[str, ...], str, str, Callable[[int], dict[str, Any]]]] = {
    "subsidy_automatic": (("processes/subsidy_automatic.bpmn", "processes/policy_catalogue.dmn",
                           "forms/subsidy_automatic_*.json", "forms/subsidy_report_receipt.json"),
                          "policy_dept", "市工信局",
                          _subsidy),
    "commitment_check": (("processes/commitment_check.bpmn",
                          "processes/commitment_check_catalogue.dmn",
                          "forms/commitment_check_*.json"), "responsible_unit", "市发改委",
                         _commitment),
}


def _files(patterns: tuple[str, ...]) -> list[SourceFile]:
    paths = [p for pattern in patterns for p in sorted(ROOT.glob(pattern))]
    return [SourceFile(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in paths]


def rates(engine: Engine, key: str, rows: int, rounds: int) -> tuple[list[float], list[float]]:
    """(single starts/s, bulk starts/s) per round."""
    patterns, role, unit, row = PROCEDURES[key]
    user = engine.add_user(f"bench_{key}", [role], unit=unit)
    engine.deploy(_files(patterns))
    for n in range(WARMUP):
        engine.start(key, row(n), user)
        engine.start_batch(key, [BatchRow(1, row(n), f"{key}:warm:{n}")], user)
    single, bulk = [], []
    for r in range(rounds):
        t0 = time.perf_counter()
        for n in range(rows):
            engine.start(key, row(n), user)
        single.append(rows / (time.perf_counter() - t0))
        batch = [BatchRow(n, row(n), f"{key}:{r}:{n}") for n in range(1, rows + 1)]
        t0 = time.perf_counter()
        report = engine.start_batch(key, batch, user)
        bulk.append(rows / (time.perf_counter() - t0))
        assert len(report.started) == rows, report.invalid[:3]
    return single, bulk


def _figures(single: list[float], bulk: list[float]) -> dict[str, float]:
    return {"single_per_s": round(statistics.median(single), 1),
            "bulk_per_s": round(statistics.median(bulk), 1),
            "bulk_vs_single": round(statistics.median(
                b / s for b, s in zip(bulk, single, strict=True)), 2)}


def run(rows: int = 2000, rounds: int = 3, postgres: bool = True) -> dict[str, Any]:
    problem = common.postgres_problem() if postgres else "not asked for"
    out: dict[str, Any] = {"rows_per_round": rows, "rounds": rounds}
    with throughput.engines(problem is None) as by_backend:
        for name, engine in by_backend.items():
            engine.import_units((ROOT / "processes" / "units.csv").read_text(encoding="utf-8"))
            figures = {key: _figures(*rates(engine, key, rows, rounds)) for key in PROCEDURES}
            out[name] = {**figures["subsidy_automatic"], "by_process": figures}
    if problem is not None:
        out["postgres_skipped"] = problem
    return out
