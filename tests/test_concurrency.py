"""Many clients claiming and completing the same tasks at once, over HTTP, against a real
threaded server (here: Werkzeug's; tests/test_gunicorn.py drives the same races through
several gunicorn processes on PostgreSQL).

Each round picks a few open tasks and sends every one of them a *contest*: 1-5 requests
(claim, unclaim, complete, by different users or the assignee) released together by a
barrier, each of which would succeed if it ran alone, and which exclude one another (a
revision pinned in the request, or the task's own state). So exactly one request of a contest
wins (200) and the others get 409, never a 500; the winner's write is the one that stays (no
lost update); the instance's revision grows by exactly one per successful command; each task is
completed once; and afterwards the hash chains verify and every instance replays.
Randomized with a fixed seed; the number of races (contests whose requests overlapped in time)
is printed and must be positive.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from engine.api import Engine
from engine.storage.schema import Event
from engine.views import TaskView
from tests.conftest import diagram_files
from web import tokens
from web.app import create_app

SEED = 20260930
UNIT = "浮梁县纪委监委"
SECRET = "race-test-secret"
ROUNDS = 60
BUDGET = 30.0  # seconds of racing per backend; the rounds stop early when it is spent
USERS = {
    "intake": [f"li{i}" for i in range(4)],
    "approver": [f"wang{i}" for i in range(4)],
    "handler": [f"zhao{i}" for i in range(4)],
}


def add_racers(engine: Engine) -> None:
    for role, names in USERS.items():
        for name in names:
            engine.add_user(name, [role], unit=UNIT if role == "handler" else None)
    engine.deploy(diagram_files("approval.bpmn"))


def start_cases(engine: Engine, n: int) -> None:
    for i in range(n):
        engine.start("approval", {"summary": f"并发 {i}", "unit": UNIT}, "li0")


def form_data(task: TaskView, rng: random.Random) -> dict[str, Any]:
    if task.name == "propose":
        return {"proposal": rng.choice(["转办", "予以了结"])}
    if task.name == "approve":
        return {"approved": rng.random() < 0.75, "comment": f"意见 {rng.randint(1, 999)}"}
    return {"result": rng.choice(["属实", "部分属实", "不属实"])}


@dataclass
class Shot:
    """One request of a contest and what came back."""

    user: str
    action: str
    path: str
    body: dict[str, Any]
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)
    sent: float = 0.0
    answered: float = 0.0


@dataclass
class Contest:
    task: TaskView
    revision: int
    events: int
    shots: list[Shot]

    def winner(self) -> Shot:
        won = [s for s in self.shots if s.status == 200]
        assert len(won) == 1, self.describe()
        return won[0]

    def overlapped(self) -> bool:
        """A loser was sent before the winner's answer came back: a real race."""
        win = self.winner()
        return any(s is not win and s.sent < win.answered and win.sent < s.answered
                   for s in self.shots)

    def describe(self) -> str:
        return (f"task {self.task.id} ({self.task.name}, assignee {self.task.assignee}, "
                f"revision {self.revision}): " + "; ".join(
                    f"{s.user} {s.action} -> {s.status} {s.answer.get('error', '')}"
                    for s in self.shots))


@dataclass
class RaceReport:
    rounds: int = 0
    contests: int = 0
    races: int = 0  # contests with two or more requests whose requests overlapped in time
    conflicts: int = 0  # 409 answers
    stale: int = 0  # 409s from the revision check (loaded before the winner committed)
    wins: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        return (f"{self.rounds} rounds, {self.contests} contests, {self.races} overlapping "
                f"races, {self.conflicts} × 409 ({self.stale} from a stale revision), "
                f"wins {dict(self.wins)}")


class Racer:
    """Drives rounds of contests against ``base_url``; reads the truth through ``engine``."""

    def __init__(self, base_url: str, engine: Engine, secret: str, seed: int = SEED) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.engine = engine
        self.rng = random.Random(seed)
        self.tokens = {u: tokens.issue(secret, u) for names in USERS.values() for u in names}
        self.report = RaceReport()

    def run(self, rounds: int = ROUNDS, budget: float = BUDGET) -> RaceReport:
        deadline = time.monotonic() + budget
        for _ in range(rounds):
            if time.monotonic() > deadline:
                break
            self.round()
        return self.report

    def round(self) -> None:
        open_tasks = self.engine.inbox.for_user(None)
        if len(open_tasks) < 4:
            start_cases(self.engine, 6)
            open_tasks = self.engine.inbox.for_user(None)
        by_instance = {t.instance_id: t for t in open_tasks}
        chosen = self.rng.sample(sorted(by_instance), k=min(len(by_instance),
                                                            self.rng.randint(1, 4)))
        contests = [self.contest(by_instance[i]) for i in chosen]
        shots = [s for c in contests for s in c.shots]
        barrier = threading.Barrier(len(shots))
        threads = [threading.Thread(target=self.fire, args=(s, barrier)) for s in shots]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.report.rounds += 1
        for contest in contests:
            self.check(contest)

    def contest(self, task: TaskView) -> Contest:
        """Requests that would each succeed alone and exclude one another."""
        instance = self.engine.instance(task.instance_id)
        events = len(self.engine.history(task.instance_id))
        rng = self.rng
        size = rng.choice([1, 2, 2, 3, 3, 4, 5])
        role_users = USERS[task.role]
        shots = []
        if task.assignee is not None:  # only the assignee may act; the pinned revision decides
            for _ in range(size):
                action = rng.choice(["complete", "unclaim", "claim"])
                shots.append(self.shot(task, task.assignee, action, instance.revision))
        else:
            pinned = rng.random() < 0.5  # else the task's state alone must decide
            for user in rng.sample(role_users, k=min(size, len(role_users))):
                action = rng.choice(["claim", "complete"])
                shots.append(self.shot(task, user, action,
                                       instance.revision if pinned else None))
        return Contest(task, instance.revision, events, shots)

    def shot(self, task: TaskView, user: str, action: str, revision: int | None) -> Shot:
        body: dict[str, Any] = {}
        if action == "complete":
            body["data"] = form_data(task, self.rng)
        if revision is not None:
            body["revision"] = revision
        return Shot(user, action, f"/api/v1/tasks/{task.id}/{action}", body)

    def fire(self, shot: Shot, barrier: threading.Barrier) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            barrier.wait(timeout=60)
            shot.sent = time.monotonic()
            conn.request("POST", shot.path, body=json.dumps(shot.body),
                         headers={"Authorization": f"Bearer {self.tokens[shot.user]}",
                                  "Content-Type": "application/json"})
            response = conn.getresponse()
            shot.status = response.status
            shot.answer = json.loads(response.read() or b"{}")
            shot.answered = time.monotonic()
        finally:
            conn.close()

    def check(self, contest: Contest) -> None:
        report = self.report
        statuses = sorted(s.status for s in contest.shots)
        assert statuses == [200] + [409] * (len(statuses) - 1), contest.describe()
        win = contest.winner()
        report.contests += 1
        report.wins[win.action] += 1
        losers = [s for s in contest.shots if s is not win]
        report.conflicts += len(losers)
        report.stale += sum(s.answer["error"]["key"] in ("case.revision_changed",
                                                         "case.changed_meanwhile",
                                                         "case.changed_first") for s in losers)
        if losers and contest.overlapped():
            report.races += 1
        iid = contest.task.instance_id
        # exactly one more revision and one more event, and it is the winner's
        assert win.answer["revision"] == contest.revision + 1, contest.describe()
        assert self.engine.instance(iid).revision == contest.revision + 1, contest.describe()
        history = self.engine.history(iid)
        mine = history[contest.events]
        assert (mine.type, mine.user, mine.task_id) == (
            {"claim": "claimed", "unclaim": "unclaimed", "complete": "completed"}[win.action],
            win.user, contest.task.id), contest.describe()
        if win.action == "complete":
            assert mine.payload["data"] == win.body["data"]  # the winner's data, not a loser's
        else:
            task = next(t for t in self.engine.instance(iid).tasks if t.id == contest.task.id)
            assert task.assignee == (win.user if win.action == "claim" else None)


def check_invariants(engine: Engine) -> None:
    """Across the whole run: each task completed once, revisions equal the commands applied
    (one per event), the hash chains verify, and every instance replays."""
    with engine.transaction() as session:
        completions = session.execute(
            select(Event.task_id, func.count()).where(Event.type == "completed")
            .group_by(Event.task_id)).all()
    assert completions and all(n == 1 for _, n in completions), completions
    ids = engine.instance_ids()
    for iid in ids:
        assert engine.instance(iid).revision == len(engine.history(iid))
    assert engine.verify() == (len(ids), [])
    diverged = {i: r.message for i in ids if not (r := engine.replay(i)).ok}
    assert diverged == {}


@pytest.fixture
def server(engine: Engine) -> Iterator[str]:
    """The app on a real threaded HTTP server; its base URL."""
    add_racers(engine)
    start_cases(engine, 12)
    httpd = make_server("127.0.0.1", 0, create_app(engine, secret_key=SECRET), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def test_racing_clients_one_winner_per_task_and_no_lost_update(server: str, engine: Engine,
                                                               database_url: str) -> None:
    started = time.monotonic()
    report = Racer(server, engine, SECRET).run()
    print(f"\n{database_url.split(':')[0]}: {report} in {time.monotonic() - started:.1f}s")
    assert report.races > 0, report
    assert report.wins["complete"] > 0 and report.wins["claim"] > 0, report
    check_invariants(engine)
