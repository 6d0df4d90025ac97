"""Durable throughput: instances/s of a 3-user-task process with one script task
(bench/diagrams/bench_three_step.bpmn), started and completed through the engine's public API
with every command its own committed transaction, as a ratio of raw SpiffWorkflow running the
same diagram in memory in the same run (``durable_ratio_*``), and of raw SpiffWorkflow that
also turns the workflow into JSON after every step (``durable_vs_serialized_*``: the least any
durable engine must do, so the engine's own overhead per command).

The machine may be shared, so the figures are taken in rounds: each round times raw
SpiffWorkflow, then the engine on SQLite, then on PostgreSQL, back to back; the ratio is the
median of the rounds' ratios.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench import common, floor, storage
from engine.api import Engine

DIAGRAM = "bench_three_step.bpmn"
KEY = "bench_three_step"
WARMUP = 10
START_DATA = {"channel": "窗口"}
STEPS: list[dict[str, Any]] = [
    {"summary": "企业反映审批超时"},
    {"approved": True, "note": "同意"},
    {"approved": True, "note": "办结"},
]


def raw_runner(serialize: bool = False) -> Callable[[], None]:
    """One instance in memory with SpiffWorkflow's own parser and script engine. With
    ``serialize``, the workflow is also turned into JSON after every step (what any durable
    engine must at least do), still stored nowhere."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(common.DIAGRAMS / DIAGRAM))
    spec = parser.get_spec(KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))

    def save(workflow: BpmnWorkflow) -> None:
        if serialize:
            serializer.serialize_json(workflow)  # SpiffWorkflow's own: spec included

    def run_one() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.task_tree.set_data(**START_DATA)
        workflow.do_engine_steps()
        save(workflow)
        for data in STEPS:
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            save(workflow)
        assert workflow.is_completed()

    return run_one


def durable_runner(engine: Engine) -> Callable[[], int]:
    """One instance through the engine's API. The user is passed as read once, the way the
    web layer passes the user it signed in for the request (the engine then does not read
    it again)."""
    clerk = engine.add_user("clerk", ["intake", "approver", "case_manager"])
    engine.deploy(common.files(DIAGRAM))

    def run_one() -> int:
        view = engine.start(KEY, START_DATA, clerk)
        for data in STEPS:
            (task,) = view.tasks
            view = engine.complete(task.id, data, clerk)
        assert view.status == "completed", view.status
        return view.id

    return run_one


def rate(run_one: Callable[[], Any], instances: int) -> float:
    """Instances per second."""
    t0 = time.perf_counter()
    for _ in range(instances):
        run_one()
    return instances / (time.perf_counter() - t0)


@contextmanager
def engines(postgres: bool) -> Iterator[dict[str, Engine]]:
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        out = {"sqlite": Engine(f"sqlite:///{tmp}/bench.db", clock=common.clock())}
        if postgres:
            out["postgres"] = Engine(stack.enter_context(common.pg_schema()),
                                     clock=common.clock())
        try:
            yield out
        finally:
            for engine in out.values():
                engine.close()


@contextmanager
def floors(postgres: bool) -> Iterator[dict[str, Callable[[], None]]]:
    """The least durable engine (bench/floor.py) on each backend, in fresh storage."""
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        stores = {"floor_sqlite": stack.enter_context(floor.sqlite_store(Path(tmp) / "f.db"))}
        if postgres:
            stores["floor_postgres"] = stack.enter_context(
                floor.postgres_store(stack.enter_context(common.pg_schema())))
        yield {name: floor.runner(store, START_DATA, STEPS, DIAGRAM, KEY)
               for name, store in stores.items()}


def run(instances: int = 1000, rounds: int = 5, postgres: bool = True) -> dict[str, Any]:
    """``instances`` durable instances per backend in all, in ``rounds`` rounds."""
    problem = common.postgres_problem() if postgres else "not asked for"
    per_round = max(1, instances // rounds)
    raw, raw_serialized = raw_runner(), raw_runner(serialize=True)
    rates: dict[str, list[float]] = {"raw": [], "raw_serialized": [], "sqlite": [],
                                     "postgres": [], "floor_sqlite": [], "floor_postgres": []}
    with engines(problem is None) as by_backend, floors(problem is None) as floor_runners:
        runners = {name: durable_runner(engine) for name, engine in by_backend.items()}
        for run_one in (raw, raw_serialized, *runners.values(), *floor_runners.values()):
            for _ in range(WARMUP):  # warm-up: parse, caches
                run_one()
        for _ in range(rounds):
            rates["raw"].append(rate(raw, per_round * 10))
            rates["raw_serialized"].append(rate(raw_serialized, per_round * 5))
            for name, run_one in floor_runners.items():
                rates[name].append(rate(run_one, per_round * 2))
            for name, run_one in runners.items():
                rates[name].append(rate(run_one, per_round))
        last = runners["sqlite"]()
        with by_backend["sqlite"].transaction() as session:
            stored = storage.of_instance(session, last)
    out: dict[str, Any] = {
        "instances": per_round * rounds, "rounds": rounds, "commands_per_instance": 4,
        "raw_per_s": round(statistics.median(rates["raw"]), 1),
        "raw_serialized_per_s": round(statistics.median(rates["raw_serialized"]), 1),
        "sqlite_per_s": round(statistics.median(rates["sqlite"]), 1),
        "durable_ratio_sqlite": _ratio(rates["sqlite"], rates["raw"]),
        "durable_vs_serialized_sqlite": _ratio(rates["sqlite"], rates["raw_serialized"]),
        "postgres_per_s": None, "durable_ratio_postgres": None,
        "durable_vs_serialized_postgres": None,
        "serialize_ratio": _ratio(rates["raw_serialized"], rates["raw"]),
        "floor_sqlite_per_s": round(statistics.median(rates["floor_sqlite"]), 1),
        "floor_vs_serialized_sqlite": _ratio(rates["floor_sqlite"], rates["raw_serialized"]),
        "durable_vs_floor_sqlite": _ratio(rates["sqlite"], rates["floor_sqlite"]),
        "floor_postgres_per_s": None, "floor_vs_serialized_postgres": None,
        "durable_vs_floor_postgres": None,
        "stored_bytes_per_instance": stored["total_bytes"],
        "state_bytes_per_instance": stored["state_bytes"],
        "event_bytes_per_instance": stored["event_bytes"],
    }
    if problem is None:
        out["postgres_per_s"] = round(statistics.median(rates["postgres"]), 1)
        out["durable_ratio_postgres"] = _ratio(rates["postgres"], rates["raw"])
        out["durable_vs_serialized_postgres"] = _ratio(rates["postgres"],
                                                       rates["raw_serialized"])
        out["floor_postgres_per_s"] = round(statistics.median(rates["floor_postgres"]), 1)
        out["floor_vs_serialized_postgres"] = _ratio(rates["floor_postgres"],
                                                     rates["raw_serialized"])
        out["durable_vs_floor_postgres"] = _ratio(rates["postgres"], rates["floor_postgres"])
    else:
        out["postgres_skipped"] = problem
    return out


def _ratio(durable: list[float], raw: list[float]) -> float:
    return round(statistics.median(d / r for d, r in zip(durable, raw, strict=True)), 4)
