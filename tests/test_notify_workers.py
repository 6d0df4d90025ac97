"""Several workers on one PostgreSQL: a task due tomorrow gets exactly one in-app reminder
and exactly one e-mail on a real (loopback) SMTP server, whether the workers are `kuaiban
worker` processes or threads with engines of their own, while the clock moves through the
morning and the server refuses a message once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from engine.api import Engine
from engine.time.clock import FixedClock
from tests.conftest import diagram_files
from tests.notify_support import MailServer, mail_server

FULIANG = "浮梁县纪委监委"
CASES = 24


@pytest.fixture
def shared(database_url: str) -> Iterator[tuple[Engine, str, FixedClock, list[str]]]:
    """Thursday 08:00: CASES tasks due on Friday (the next working day) and one due on
    Monday, all zhou's; zhou has an e-mail address."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share work through PostgreSQL (SQLite has one writer)")
    clock = FixedClock(datetime.fromisoformat("2026-10-15T08:00:00+08:00"))
    engine = Engine(database_url, clock=clock)
    engine.add_user("zhou", ["handler"], unit=FULIANG, email="zhou@example.gov.cn")
    engine.deploy(diagram_files("reminders.bpmn"))
    cases = []
    for i in range(CASES + 1):
        due = "2026-10-16T17:30:00+08:00" if i < CASES else "2026-10-19T17:30:00+08:00"
        view = engine.start("reminders", {"unit": FULIANG, "due": due}, "zhou")
        engine.claim(view.tasks[0].id, "zhou")
        cases.append(view.business_key or "")
    try:
        yield engine, database_url, clock, cases[:CASES]
    finally:
        engine.close()


def worker(url: str, now: str, mail: MailServer) -> subprocess.Popen[str]:
    env = {**os.environ, "KUAIBAN_DATABASE_URL": url, "KUAIBAN_NOW": now, **mail.env()}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "worker", "--once"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def reminders_of(engine: Engine) -> Counter[tuple[str, str]]:
    return Counter((n.kind, n.business_key or "") for n in
                   engine.notifications.for_user("zhou", limit=500) if n.kind != "task_arrived")


def mailed(mail: MailServer) -> Counter[str]:
    return Counter(str(m["Subject"]) for m in mail.messages)


def test_two_worker_processes_send_one_e_mail_per_task_due_tomorrow(
        shared: tuple[Engine, str, FixedClock, list[str]]) -> None:
    engine, url, _, cases = shared
    with mail_server() as mail:
        for now in ("2026-10-15T08:59:00", "2026-10-15T09:00:00", "2026-10-15T09:00:02",
                    "2026-10-15T09:30:00"):
            procs = [worker(url, now + "+08:00", mail) for _ in range(2)]
            outputs = [p.communicate(timeout=300) for p in procs]
            assert [p.returncode for p in procs] == [0, 0], outputs
            if now.endswith("08:59:00"):
                assert mail.messages == [] and reminders_of(engine) == Counter()
        assert mailed(mail) == Counter({f"【快办】明日到期：核查（{c}）": 1 for c in cases})
        assert mail.recipients == [["zhou@example.gov.cn"]] * CASES
    assert reminders_of(engine) == Counter({("due_tomorrow", c): 1 for c in cases})
    assert engine.notifications.pending() == []


def test_two_worker_threads_share_the_round_and_a_refused_message(
        shared: tuple[Engine, str, FixedClock, list[str]]) -> None:
    engine, url, clock, cases = shared
    clock.set(datetime.fromisoformat("2026-10-15T09:00:00+08:00"))
    engines = [Engine(url, clock=clock, upgrade=False) for _ in range(2)]
    with mail_server() as mail:
        mail.refusals.append("451 4.3.0 Try again later")
        for each in engines:
            each.notifications.settings = mail.settings()

        def rounds() -> None:
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def run(each: Engine) -> None:
                try:
                    barrier.wait(timeout=30)
                    each.notifications.work()
                except BaseException as exc:  # reported below
                    errors.append(exc)

            threads = [threading.Thread(target=run, args=(e,)) for e in engines]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            assert errors == []

        rounds()
        rounds()
        assert len(mail.messages) == CASES - 1  # one was refused: it waits for its retry
        [waiting] = engine.notifications.pending()
        assert waiting.attempts == 1 and "451" in (waiting.last_error or "")
        clock.advance(timedelta(minutes=2))
        rounds()
        assert mailed(mail) == Counter({f"【快办】明日到期：核查（{c}）": 1 for c in cases})
    assert reminders_of(engine) == Counter({("due_tomorrow", c): 1 for c in cases})
    assert engine.notifications.pending() == []
    for each in engines:
        each.close()
