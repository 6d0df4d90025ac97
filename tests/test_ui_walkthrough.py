"""A working day on the demo world, as its users see it: who holds a task is named as a
person, not by the username that signs in."""

from __future__ import annotations

from engine.api import Engine
from tests.demo_support import demo as demo  # the fixture
from tests.demo_support import signed_in

HANDLER = "承办部门 赵磊（浮梁）"


def test_who_claimed_a_task_is_named_by_display_name(demo: Engine) -> None:
    task = next(t for t in demo.inbox.for_user("handler_fl") if t.name == "outcome")
    handler = signed_in(demo, "handler_fl")
    assert handler.post(f"/tasks/{task.id}/claim").status_code == 302
    pages = {"inbox": handler.get("/").text,
             "task": handler.get(f"/tasks/{task.id}").text,
             "case": handler.get(f"/instances/{task.instance_id}").text,
             "board": signed_in(demo, "case_manager").get(
                 f"/board/tasks?unit={task.unit}&process=clue_triage&when=open").text}
    for name, text in pages.items():
        assert HANDLER in text, name
        assert ">handler_fl<" not in text and "：handler_fl" not in text, name
        assert "认领人 handler_fl" not in text, name
