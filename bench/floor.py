"""The least a durable engine can do per command, as a yardstick for the engine's overhead.

Raw SpiffWorkflow runs the durable-throughput diagram as in ``raw_serialized``
(bench/throughput.py) and, after every step, stores the workflow's JSON in one row and appends
one event row (the step's data and the state's SHA-256), in one committed transaction per
step, through the bare driver (sqlite3 with the engine's pragmas; psycopg). It has no task
list, no inbox, no notices, no search, no forms, no hash chain, no revision check: nothing a
user or auditor needs beyond the state itself. ``floor_vs_serialized_*`` is its rate over
``raw_serialized``'s, the highest ``durable_vs_serialized_*`` any engine that commits each
command could reach on this machine.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench import common

TABLES = [
    "CREATE TABLE floor_instances (id INTEGER PRIMARY KEY, state TEXT NOT NULL)",
    "CREATE TABLE floor_events (instance_id INTEGER NOT NULL, seq INTEGER NOT NULL, "
    "payload TEXT NOT NULL, state_digest TEXT NOT NULL, PRIMARY KEY (instance_id, seq))",
]


Store = Callable[[int | None, str, dict[str, Any], int], int]


@contextmanager
def sqlite_store(path: Path) -> Iterator[Store]:
    """Stores a step in its own transaction; returns the instance's id."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in TABLES:
        connection.execute(statement)

    def store(instance_id: int | None, state: str, data: dict[str, Any], seq: int) -> int:
        connection.execute("BEGIN IMMEDIATE")
        if instance_id is None:
            instance_id = connection.execute("INSERT INTO floor_instances (state) VALUES (?)",
                                             (state,)).lastrowid
        else:
            connection.execute("UPDATE floor_instances SET state = ? WHERE id = ?",
                               (state, instance_id))
        connection.execute("INSERT INTO floor_events VALUES (?, ?, ?, ?)",
                           (instance_id, seq, json.dumps(data), _digest(state)))
        connection.execute("COMMIT")
        assert instance_id is not None
        return instance_id

    try:
        yield store
    finally:
        connection.close()


@contextmanager
def postgres_store(url: str) -> Iterator[Store]:
    """The same on PostgreSQL (``url``: a SQLAlchemy URL of a fresh schema)."""
    conninfo, _, options = url.replace("postgresql+psycopg://", "postgresql://").partition("?")
    connection = psycopg.connect(f"{conninfo}?{options}", autocommit=False)
    with connection.cursor() as cursor:
        for statement in TABLES:
            cursor.execute(statement.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))
    connection.commit()

    def store(instance_id: int | None, state: str, data: dict[str, Any], seq: int) -> int:
        with connection.cursor() as cursor:
            if instance_id is None:
                cursor.execute("INSERT INTO floor_instances (state) VALUES (%s) RETURNING id",
                               (state,))
                (instance_id,) = cursor.fetchone() or (None,)
            else:
                cursor.execute("UPDATE floor_instances SET state = %s WHERE id = %s",
                               (state, instance_id))
            cursor.execute("INSERT INTO floor_events VALUES (%s, %s, %s, %s)",
                           (instance_id, seq, json.dumps(data), _digest(state)))
        connection.commit()
        assert instance_id is not None
        return instance_id

    try:
        yield store
    finally:
        connection.close()


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def runner(store: Store, start_data: dict[str, Any], steps: list[dict[str, Any]], diagram: str,
           key: str
           ) -> Callable[[], None]:
    """One instance: the raw serialized run, each step stored."""
    parser = CamundaParser()
    parser.add_bpmn_file(str(common.DIAGRAMS / diagram))
    spec = parser.get_spec(key)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))

    def run_one() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.task_tree.set_data(**start_data)
        workflow.do_engine_steps()
        instance_id = store(None, serializer.serialize_json(workflow), start_data, 1)
        for seq, data in enumerate(steps, start=2):
            (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            store(instance_id, serializer.serialize_json(workflow), data, seq)
        assert workflow.is_completed()

    return run_one
