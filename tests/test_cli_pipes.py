"""``kuaiban … | head -1``: the real command in a subprocess, its stdout read by a reader that
stops early. It ends quietly (exit 141 or 0) with nothing on stderr, not an internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import DIAGRAMS

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-09-30T16:00:00+08:00"
BIG = 1_000_000  # characters of case data: far more than a pipe holds


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a database holding one case whose data is larger than a pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIBAN_")}
    env.update(KUAIBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'pipes.db'}", KUAIBAN_NOW=NOW)
    runner = CliRunner()
    data = json.dumps({"summary": "长" * BIG, "unit": "浮梁县纪委监委"}, ensure_ascii=False)
    for args in (["deploy", str(DIAGRAMS / "approval.bpmn"), str(DIAGRAMS / "forms")],
                 ["users", "add", "li", "--role", "intake"],
                 ["start", "approval", "--as", "li", "--data", data]):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 0, result.output
    return env


def kuaiban(*args: str) -> list[str]:
    return [sys.executable, "-m", "engine.cli", *args]


def assert_quiet(code: int, stderr: str) -> None:
    assert code in (0, 141), (code, stderr)
    assert stderr == ""  # no traceback, no "error: internal error (BrokenPipeError …)"


def test_show_into_a_reader_that_stops_after_one_line(env: dict[str, str],
                                                       tmp_path: Path) -> None:
    errors = tmp_path / "stderr"
    with errors.open("w") as err:
        proc = subprocess.Popen(kuaiban("show", "1"), cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # what `head -1` does
        proc.stdout.close()
        code = proc.wait(timeout=120)
    assert first.decode("utf-8").startswith("instance 1  approval v1  running")
    assert_quiet(code, errors.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [("show", "1", "--json"), ("history", "1"), ("tasks",),
                                  ("--help",)])
def test_a_reader_gone_before_the_first_line(env: dict[str, str], tmp_path: Path,
                                             args: tuple[str, ...]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone: the first write fails
    try:
        done = subprocess.run(kuaiban(*args), cwd=ROOT, env=env, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    assert_quiet(done.returncode, done.stderr.decode("utf-8"))
