"""The servers of ``kuaiban run``: gunicorn by default, Werkzeug's development server with
``--dev``.

Under gunicorn the ``kuaiban run`` process is the gunicorn master. Its web workers each build
the app with :func:`web.app.from_env` after they are forked, and hold no database connection
of the master's. Timers and notices are fired by exactly one timer worker: a ``kuaiban
worker`` process the master starts once it listens (``when_ready``) and stops when it exits.
Not a thread in the master: the web workers are forked from it, and a fork must not copy a
database connection in use. Several timer workers would be safe too (leases make each firing
happen once), but one is all a machine needs.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import threading
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger

from engine import Engine

log = logging.getLogger("kuaiban.web")
_TIMER_WORKER = "kuaiban_timer_worker"  # the TimerWorkerProcess, kept on the arbiter


class KuaibanLogger(Logger):
    """gunicorn's own lines go through Kuaiban's logging (engine/logs.py), so with
    ``--log-format json`` every line on stderr is JSON."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.handlers.clear()
            log.propagate = True


class KuaibanServer(BaseApplication):
    """gunicorn serving ``from_env()`` in every worker, with the hooks that run the one timer
    worker beside them."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        self.cfg.set("when_ready", start_timer_worker)
        self.cfg.set("on_exit", stop_timer_worker)

    def load(self) -> Any:
        from web.app import from_env

        return from_env()


class TimerWorkerProcess:
    """The one ``kuaiban worker`` beside the web processes, started again should it die. The
    thread watching it in the master holds no database connection, so forking web workers
    copies nothing in use."""

    RESTART_DELAY = 3.0  # seconds: a worker that cannot start does not spin

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="kuaiban-timer-watch", daemon=True).start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen([sys.executable, "-m", "engine.cli", "worker"],
                                            env=os.environ.copy())
            log.info("timer worker started", extra={"timer_worker_pid": self.process.pid})

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self.process
            code = process.wait() if process is not None else None
            if self._stopping.wait(self.RESTART_DELAY):
                return
            log.warning("timer worker exited (%s); starting another", code)
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_timer_worker(arbiter: Arbiter) -> None:
    worker = TimerWorkerProcess()
    setattr(arbiter, _TIMER_WORKER, worker)
    worker.start()


def stop_timer_worker(arbiter: Arbiter) -> None:
    worker: TimerWorkerProcess | None = getattr(arbiter, _TIMER_WORKER, None)
    if worker is not None:
        worker.stop()


def serve(engine: Engine, host: str, port: int, workers: int) -> None:
    """Serve with gunicorn: ``workers`` web processes and one timer worker on the engine's
    database. The engine is closed first: the processes open their own."""
    os.environ["KUAIBAN_DATABASE_URL"] = engine.db.url.render_as_string(hide_password=False)
    # one secret for every worker; a fresh one each run (sessions end with the server)
    os.environ.setdefault("KUAIBAN_SECRET_KEY", secrets.token_hex(32))
    engine.close()
    print(f"Kuaiban: http://{host}:{port}/", flush=True)
    options = {"bind": f"{host}:{port}", "workers": workers, "graceful_timeout": 10,
               "accesslog": None, "logger_class": KuaibanLogger}
    if "control_socket_disable" in _settings():  # gunicorn >= 25.1: one fixed path per user
        options["control_socket_disable"] = True
    KuaibanServer(options).run()


def serve_dev(engine: Engine, host: str, port: int) -> None:
    """Werkzeug's threaded development server (the caller runs the timer worker beside it,
    a thread in this process)."""
    from werkzeug.serving import run_simple

    from web.app import create_app

    print(f"Kuaiban (development server): http://{host}:{port}/", flush=True)
    run_simple(host, port, create_app(engine), threaded=True, use_reloader=False)


def _settings() -> dict[str, Any]:
    from gunicorn.config import KNOWN_SETTINGS

    return {s.name: s for s in KNOWN_SETTINGS}
