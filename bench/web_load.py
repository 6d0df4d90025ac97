"""The inbox API under load: GET /api/v1/tasks for 50 concurrent users (each its own bearer
token) against a real server on loopback, for a bounded time. The server is gunicorn (gthread
workers, one per core) when installed, else Werkzeug's threaded server; the load tool is wrk
(Debian's package) with a Lua script for the tokens, else a thread pool of http.client
clients. Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import common
from web import tokens

ROOT = Path(__file__).parent.parent
SECRET = "bench-secret-" + "k" * 32
PATH = "/api/v1/tasks"

LUA = """
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  return wrk.format("GET", "%s", {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("KUAIBAN %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, log: Path, workers: int | None = None
                 ) -> tuple[subprocess.Popen[bytes], int, str]:
    """``workers``: gunicorn's worker processes (default: one per core)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env.update(KUAIBAN_DATABASE_URL=url, KUAIBAN_SECRET_KEY=SECRET,
               KUAIBAN_NOW=common.START.isoformat())
    workers = workers or os.cpu_count() or 2
    if importlib.util.find_spec("gunicorn") is not None:
        import gunicorn

        extra = ["--no-control-socket"] if gunicorn.version_info >= (25, 1) else []
        cmd = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers",
               str(workers), "--threads", "8", "--bind", f"127.0.0.1:{port}",
               "--graceful-timeout", "5", *extra, "bench.wsgi:app"]
        server = f"gunicorn {gunicorn.__version__} gthread, {workers} workers x 8 threads"
    else:
        cmd = [sys.executable, "-c", "from werkzeug.serving import run_simple; "
               "from bench.wsgi import app; "
               f"run_simple('127.0.0.1', {port}, app, threaded=True)"]
        server = "werkzeug threaded (gunicorn not installed)"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, port, server


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(port: int, path: str, token: str | None = None) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - t0
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, token: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if _get(port, PATH, token)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready: {log.read_text(errors='replace')[-2000:]}")


def with_wrk(port: int, user_tokens: list[str], seconds: int, connections: int,
             tmp: Path) -> dict[str, Any]:
    script = tmp / "tokens.lua"
    script.write_text(LUA % (", ".join(f'"{t}"' for t in user_tokens), PATH), encoding="utf-8")
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}{PATH}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True)
    match = re.search(r"^KUAIBAN (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk said: {done.stdout} {done.stderr}")
    requests, micros, p50, p95, errors = (int(g) for g in match.groups())
    return {"tool": "wrk", "requests": requests,
            "requests_per_s": round(requests / micros * 1e6, 1),
            "p50_ms": round(p50 / 1000, 1), "p95_ms": round(p95 / 1000, 1), "errors": errors}


def with_threads(port: int, user_tokens: list[str], seconds: int, connections: int
                 ) -> dict[str, Any]:
    """The fallback load tool: one thread per user, each looping until the time is up."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def user(token: str) -> None:
        while time.monotonic() < deadline:
            try:
                status, took = _get(port, PATH, token)
            except OSError:
                status, took = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(took)
                else:
                    errors[0] += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=user, args=(user_tokens[i % len(user_tokens)],))
               for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    ms = [x * 1000 for x in latencies] or [0.0]
    return {"tool": "python threads", "requests": len(latencies),
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(common.percentile(ms, 50), 1),
            "p95_ms": round(common.percentile(ms, 95), 1), "errors": errors[0]}


def run(database_url: str, usernames: list[str], seconds: int = 20,
        connections: int = 50) -> dict[str, Any]:
    user_tokens = [tokens.issue(SECRET, name) for name in usernames[:connections]]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        log = tmp / "server.log"
        proc, port, server = start_server(database_url, log)
        try:
            wait_ready(proc, port, user_tokens[0], log)
            for token in user_tokens:  # every worker warm, every user once
                _get(port, PATH, token)
            if shutil.which("wrk"):
                out = with_wrk(port, user_tokens, seconds, connections, tmp)
            else:
                out = with_threads(port, user_tokens, seconds, connections)
        finally:
            stop_server(proc)
    return {"server": server, "users": len(user_tokens), "connections": connections,
            "seconds": seconds, **out}
