"""Audit at scale: ``kuaiban verify`` and ``kuaiban replay --all`` over a large log (the full
size: 100,000 cases of 10 events, 1,000,000 events), each run as the operator runs it (the
command in its own process, streamed, worker processes per core), timed, with the peak
resident memory of the command and of its largest worker.

Building a million events through the engine would take the better part of an hour on two
cores, so one real case is built by the engine (bench/diagrams/bench_three_step.bpmn: started,
four claims and unclaims, completed: 10 events) and copied to new ids: its task ids (derived
from the case id, engine/runtime/spiff_seam.py), states, state digests and hash chain are
recomputed for each copy, so every copy verifies and replays exactly like a case the engine
ran. The copies carry no mirrored task rows (audit never reads them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench import common, throughput
from engine.api import Engine
from engine.audit import chain
from engine.runtime import spiff_seam, state
from engine.storage.schema import EVENTS, INSTANCES, Event, ProcessInstance

ROOT = Path(__file__).parent.parent
BATCH = 2000  # copies per insert transaction
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def template(engine: Engine) -> int:
    """The real case: 10 events."""
    clerk = engine.add_user("clerk", ["intake", "approver", "case_manager"])
    engine.deploy(common.files(throughput.DIAGRAM))
    view = engine.start(throughput.KEY, throughput.START_DATA, clerk)
    (task,) = view.tasks
    for _ in range(4):
        engine.claim(task.id, clerk)
        engine.unclaim(task.id, clerk)
    engine.complete(task.id, throughput.STEPS[0], clerk)
    return view.id


class Copier:
    """Copies of the template case under new ids, its ids and digests recomputed."""

    def __init__(self, engine: Engine, template_id: int) -> None:
        with engine.transaction(read_only=True) as session:
            row = session.get(ProcessInstance, template_id)
            assert row is not None
            self.row = {c.key: getattr(row, c.key) for c in ProcessInstance.__table__.columns}
            self.events = [{c.key: getattr(e, c.key) for c in Event.__table__.columns}
                           for e in chain.events_of(session, template_id)]
        self.template_id = template_id
        self.counters = self._counters(json.loads(self.row["state"])["next_id"])
        # each distinct state the events recorded, by digest (claims keep the state)
        self.states = {self.events[0]["state_digest"]: self._start_state(engine)}
        self.states[self.row_digest()] = self.row["state"]

    def _counters(self, top: int) -> dict[str, int]:
        return {str(uuid.uuid5(spiff_seam._NAMESPACE, f"{self.template_id}:{n}")): n
                for n in range(1, top + 1)}

    def row_digest(self) -> str:
        return state.digest(json.loads(self.row["state"]))

    def _start_state(self, engine: Engine) -> str:
        """The state right after the started event, rebuilt as replay does."""
        from engine.audit.replay import RecordedEvent, _Rebuild

        with engine.transaction(read_only=True) as session:
            version = engine.versions.get(session, self.row["version_id"])
            rebuild = _Rebuild(self.template_id, version, engine.runtime.calendar(session))
        first = self.events[0]
        rebuild.apply(RecordedEvent(1, first["type"], first["payload"], first["at"],
                                    first["state_digest"]))
        assert rebuild.workflow is not None
        return json.dumps(state.dump(rebuild.workflow, rebuild.ids), separators=(",", ":"))

    def copy(self, new_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        ids = {old: str(uuid.uuid5(spiff_seam._NAMESPACE, f"{new_id}:{n}"))
               for old, n in self.counters.items()}

        def moved(text: str) -> str:
            return _UUID.sub(lambda m: ids.get(m.group(0), m.group(0)), text)

        digests = {}
        for old_digest, text in self.states.items():
            new_text = moved(text)
            digests[old_digest] = (state.digest(json.loads(new_text)), new_text)
        prev, events = chain.GENESIS, []
        for e in self.events:
            event = Event(**{**e, "id": None, "instance_id": new_id,
                             "task_id": moved(e["task_id"]) if e["task_id"] else None,
                             "payload": json.loads(moved(json.dumps(e["payload"]))),
                             "state_digest": digests[e["state_digest"]][0],
                             "prev_hash": prev})
            event.hash = prev = chain.chain_hash(prev, event)
            events.append({c.key: getattr(event, c.key) for c in Event.__table__.columns
                           if c.key != "id"})
        final = digests[self.row_digest()]
        row = {**self.row, "id": new_id, "state": final[1], "last_hash": prev,
               "data": json.loads(moved(json.dumps(self.row["data"])))}
        return row, events


def build(engine: Engine, instances: int) -> int:
    """``instances`` cases in all (the template and its copies); returns the events."""
    copier = Copier(engine, template(engine))
    next_id = copier.template_id + 1
    while next_id <= instances:
        last = min(instances, next_id + BATCH - 1)
        rows, events = [], []
        for new_id in range(next_id, last + 1):
            row, evs = copier.copy(new_id)
            rows.append(row)
            events += evs
        with engine.transaction() as session:
            session.execute(insert(INSTANCES), rows)
            session.execute(insert(EVENTS), events)
        next_id = last + 1
    with engine.transaction(read_only=True) as session:
        return len(session.execute(select(Event.id)).all())


def command(url: str, *args: str) -> dict[str, Any]:
    """Run ``kuaiban ARGS`` in its own process: seconds, exit code, peak resident memory (MiB)
    of the command and of its largest worker process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env["KUAIBAN_DATABASE_URL"] = url
    probe = ("import resource, runpy, sys\nsys.argv = ['kuaiban', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('engine.cli', run_name='__main__')\n"
             "finally:\n    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
             "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
             "    print(f'PEAK {own} {kids}', file=sys.stderr)")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    peak = re.search(r"PEAK (\d+) (\d+)", done.stderr)
    own, kids = (int(peak.group(1)), int(peak.group(2))) if peak else (0, 0)
    summary = [line for line in done.stderr.splitlines() if "instance(s)" in line]
    return {"seconds": round(seconds, 2), "exit": done.returncode,
            "said": (summary or done.stdout.strip().splitlines()[-1:] or [""])[-1][-200:],
            "peak_command_mib": round(own / 1024, 1),
            "peak_worker_mib": round(kids / 1024, 1)}


def run(instances: int = 10_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/audit.db"
        engine = Engine(url, clock=common.clock())
        t0 = time.perf_counter()
        events = build(engine, instances)
        built = time.perf_counter() - t0
        engine.close()
        out: dict[str, Any] = {"instances": instances, "events": events,
                               "build_s": round(built, 1), "cores": os.cpu_count()}
        for name, args in (("verify_1_worker", ("verify", "--workers", "1")),
                           ("verify", ("verify", "--workers", str(os.cpu_count() or 1))),
                           ("replay_all", ("replay", "--all", "--workers",
                                           str(os.cpu_count() or 1)))):
            result = command(url, *args)
            assert result["exit"] == 0, result
            out[name] = result
    out["verify_events_per_s"] = round(events / out["verify"]["seconds"])
    out["verify_events_per_s_1_worker"] = round(events / out["verify_1_worker"]["seconds"])
    out["replay_instances_per_s"] = round(instances / out["replay_all"]["seconds"], 1)
    out["peak_rss_mib"] = max(max(out[k]["peak_command_mib"], out[k]["peak_worker_mib"])
                              for k in ("verify", "verify_1_worker", "replay_all"))
    return out
