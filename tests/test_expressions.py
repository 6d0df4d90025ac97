"""The safe expression/script language (engine.scripting.expressions) and its SpiffWorkflow seam."""

from __future__ import annotations

import ast
import builtins
import json
from typing import Any

import pytest
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import ScriptError, UnsafeInput
from engine.scripting.budget import BUILTINS
from engine.scripting.expressions import (
    Limits,
    SafeEnvironment,
    check,
    evaluate,
    execute,
    noting_reads,
)
from engine.scripting.language import FORBIDDEN_CALLS, SAFE_BUILTINS, assigned_names

DATA = {
    "a": 2,
    "name": "张三",
    "部门": "市商务局",
    "items": [3, 1, 2],
    "form": {"type": "招商引资政策不兑现", "count": 4, "tags": ["急", "重"]},
    "missing": None,
}


def ev(source: str, names: dict[str, Any] | None = None, **functions: Any) -> Any:
    return evaluate(source, DATA if names is None else names, functions)


def run(source: str, names: dict[str, Any] | None = None, **functions: Any) -> dict[str, Any]:
    names = {} if names is None else names
    execute(source, names, functions)
    return names


# -- expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a + 1 > 1", True),
        ("a * 3 - 1 == 5 and not missing", True),
        ("1 < a <= 2 < 3", True),
        ("a / 4, a // 4, a % 3, a ** 10, -a, ~a", (0.5, 0, 2, 1024, -2, -3)),
        ("部门 == '市商务局'", True),
        ("form['type'] in ['招商引资政策不兑现', '其他']", True),
        ("form['type'] not in ('a', 'b')", True),
        ("missing is None and form is not None", True),
        ("'高' if form['count'] > 3 else '低'", "高"),
        ("items[0], items[-1], items[1:], items[::-1]", (3, 2, [1, 2], [2, 1, 3])),
        ("form.get('nope', 'dflt')", "dflt"),
        ("sorted(form.keys())", ["count", "tags", "type"]),
        ("name.startswith('张') and name.strip() == name", True),
        ("'、'.join(form['tags'])", "急、重"),
        ("len(items) + max(items) + min(1, 2) + sum(items) + abs(-1)", 3 + 3 + 1 + 6 + 1),
        (
            "round(2.567, 2), int('12'), float('1.5'), str(12), bool(0)",
            (2.57, 12, 1.5, "12", False),
        ),
        (
            "list(range(3)), tuple(items), set([1, 1]), dict(x=1)",
            ([0, 1, 2], (3, 1, 2), {1}, {"x": 1}),
        ),
        (
            "list(enumerate('ab')), list(zip([1, 2], 'ab'))",
            ([(0, "a"), (1, "b")], [(1, "a"), (2, "b")]),
        ),
        ("any(x > 2 for x in items) and all(x > 0 for x in items)", True),
        ("{1: 'x'} | {2: 'y'}", {1: "x", 2: "y"}),
        ("None", None),
    ],
)
def test_expressions(source: str, expected: Any) -> None:
    assert check(source, "eval") == []
    assert ev(source) == expected


def test_comprehensions() -> None:
    assert ev("[x * 2 for x in items if x > 1]") == [6, 4]
    assert ev("{k: v for k, v in form.items() if k != 'tags'}") == {
        "type": "招商引资政策不兑现",
        "count": 4,
    }
    assert ev("{x % 2 for x in items}") == {0, 1}
    assert ev("[(i, j) for i in range(2) for j in range(i + 1)]") == [(0, 0), (1, 0), (1, 1)]
    # comprehension variables do not leak into the data
    names = {"xs": [1, 2]}
    execute("ys = [x for x in xs]", names)
    assert names == {"xs": [1, 2], "ys": [1, 2]}


def test_f_strings() -> None:
    assert ev("f'{name}：{a:03d}件 {a!r} {form[\"count\"] / 3:.2f}'") == "张三：002件 2 1.33"
    assert ev("f'{a:>{a}}'") == " 2"


def test_whitelisted_functions() -> None:
    def workday_close(n: int, start: str | None = None) -> str:
        return f"close+{n}@{start}"

    assert ev("workday_close(5)", workday_close=workday_close) == "close+5@None"
    assert ev("workday_close(1, start='t0')", workday_close=workday_close) == "close+1@t0"
    with pytest.raises(ScriptError, match="unknown function 'workday_close'"):
        ev("workday_close(1)")
    with pytest.raises(ScriptError, match="is a function"):
        ev("workday_close", workday_close=workday_close)
    with pytest.raises(ScriptError, match="is a function"):
        ev("len")


def test_runtime_errors_are_script_errors() -> None:
    with pytest.raises(ScriptError, match="name 'nope' is not defined") as info:
        ev("nope + 1")
    assert info.value.details["name"] == "nope"
    for source in ("1 / 0", "items[10]", "form['x']", "'a' + 1", "int('x')", "min([])"):
        with pytest.raises(ScriptError):
            ev(source)
    with pytest.raises(ScriptError, match="no allowed method 'keys'"):
        ev("name.keys()")
    with pytest.raises(ScriptError, match="not a data value"):
        ev("f", {"f": print})
    with pytest.raises(ScriptError, match="line 3: name 'y' is not defined"):
        run("x = 1\nx += 1\nz = y")


# -- scripts -------------------------------------------------------------------------------


def test_scripts() -> None:
    names = run(
        """
total = 0
for i, v in enumerate(items):
    if v == 1:
        continue
    elif v > 10:
        break
    else:
        total += v * i
else:
    done = True
form['count'] += 1
form['new'] = [s.upper() for s in 'a,b'.split(',')]
items.append(9)
first, (second, third) = 1, [2, 3]
x = y = 'same'
del form['tags']
scratch = 1
del scratch
pass
""",
        {"items": [3, 1, 2], "form": {"count": 1, "tags": []}},
    )
    assert names == {
        "items": [3, 1, 2, 9],
        "form": {"count": 2, "new": ["A", "B"]},
        "total": 4,
        "i": 2,
        "v": 2,
        "done": True,
        "first": 1,
        "second": 2,
        "third": 3,
        "x": "same",
        "y": "same",
    }


def test_break_skips_for_else() -> None:
    assert run("for i in range(5):\n    if i == 2:\n        break\nelse:\n    i = -1")["i"] == 2


# -- rejected code -------------------------------------------------------------------------

REJECTED_EXPRESSIONS = [
    "().__class__.__base__.__subclasses__()",
    "__import__('os')",
    "open('/etc/passwd')",
    "getattr(x, '__class__')",
    "lambda: 1",
    "[].__class__",
    "x._secret",
    "type(1)",
    "eval('1')",
    "exec('1')",
    "globals()",
    "vars()",
    "x.format(1)",
    "'{}'.format(x)",
    "x.upper",  # attribute access that is not a call
    "(x := 1)",
    "[*x]",
    "{**x}",
    "f(**x)",
    "f(*x)",
    "x is 1",
    "b'bytes'",
    "1j",
    "...",
    "(lambda: 1)()",
    "x[1:2, 3]",
    "[x async for x in y]",
    "await x",
    "(yield)",
    "x @ y",
    "x.foo()",
    "x.get.get()",
]


@pytest.mark.parametrize("source", REJECTED_EXPRESSIONS)
def test_rejected_expressions(source: str) -> None:
    assert check(source, "eval")
    with pytest.raises(UnsafeInput):
        evaluate(source, {"x": "s", "y": [], "f": 1})


REJECTED_SCRIPTS = [
    "import os",
    "from os import path",
    "def f():\n    pass",
    "class A:\n    pass",
    "while True:\n    pass",
    "with x:\n    pass",
    "try:\n    pass\nexcept Exception:\n    pass",
    "global x",
    "raise ValueError()",
    "assert x",
    "return 1",
    "x.attr = 1",
    "x: int = 1",
    "a, *b = [1, 2]",
    "break",
    "for i in range(2):\n    def g():\n        continue",
]


@pytest.mark.parametrize("source", REJECTED_SCRIPTS)
def test_rejected_scripts(source: str) -> None:
    assert check(source, "exec")
    with pytest.raises(UnsafeInput):
        execute(source, {"x": 1})


def test_expression_mode_rejects_statements() -> None:
    assert check("x = 1", "eval")
    with pytest.raises(UnsafeInput, match="syntax error"):
        evaluate("x = 1", {})


def test_check_reports_all_problems_with_lines() -> None:
    source = "import os\nx = 1\ny = ().__class__\nwhile x:\n    pass\nz = eval('1')\n"
    problems = check(source, "exec")
    assert problems == [
        "line 1: import is not allowed",
        "line 3: attribute '__class__': names starting with '_' are not allowed",
        "line 4: while loops are not allowed; use 'for i in range(n)'",
        "line 6: calling 'eval' is not allowed",
    ]
    assert check("x = (1,\n  2", "exec")[0].startswith("line 1: syntax error")
    assert check("ok = 1\nfor a in b:\n    c = a.__dict__", "exec") == [
        "line 3: attribute '__dict__': names starting with '_' are not allowed"
    ]
    assert check("x = 1\nfor i in items:\n    x += i", "exec") == []


def test_unsafe_input_carries_all_problems() -> None:
    with pytest.raises(UnsafeInput) as info:
        execute("import os\nimport sys\nopen('x')\n_y = 1\nz = 1", {})
    assert info.value.details == [
        "line 1: import is not allowed",
        "line 2: import is not allowed",
        "line 3: calling 'open' is not allowed",
        "line 4: name '_y': names starting with '_' are not allowed",
    ]


def test_builtins_tables_agree() -> None:
    assert set(BUILTINS) == SAFE_BUILTINS
    assert not SAFE_BUILTINS & FORBIDDEN_CALLS
    assert {"eval", "exec", "open", "getattr", "type", "globals", "__import__"} <= FORBIDDEN_CALLS
    # a variable may still be called 'type' or 'id' (common form field names)
    assert ev("type == 'x' and id == 1", {"type": "x", "id": 1})


# -- resource limits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "'a' * 10**9",
        "10**9 * 'a'",
        "[0] * 10**9",
        "(0,) * 10**9",
        "2 ** 10**9",
        "1 << 10**9",
        "10**1000 * 10**1000",
        "list(range(10**12))",
        "range(10**30)",
        "'%s' % a",
        "f'{a:>1000000000}'",
        "f'{1.5:.99999}'",
        "round(10**100, -10**9)",
        "sum([[1]], [])",
        "'ab'.replace('a', 'a' * 100000) .replace('a', 'a' * 100000)",
        "','.join(['a' * 100000] * 20)",
        "[[i, j] for i in range(10**5) for j in range(10**5)]",
    ],
)
def test_size_and_step_limits(source: str) -> None:
    with pytest.raises(ScriptError):
        ev(source)


def test_loops_are_bounded() -> None:
    with pytest.raises(ScriptError, match="range"):
        run("for i in range(10**12):\n    pass")
    with pytest.raises(ScriptError, match="step limit"):
        run("for i in range(100000):\n    for j in range(100000):\n        pass")
    with pytest.raises(ScriptError, match="step limit"):
        run("xs = [1]\nfor x in xs:\n    xs.append(x)")
    with pytest.raises(ScriptError, match=r"step limit|collection with more than"):
        run("x = [1]\nfor i in range(100):\n    x = x + x")


def test_aliasing_bombs_are_bounded() -> None:
    # 10**5 references to one 10**5-element list: cheap to build, 10**10 to print or compare
    setup = "x = [0] * 100000\ny = [x] * 100000\nz = [list(x)] * 100000\n"
    for tail in ("s = str(y)", "s = f'{y}'", "s = y == z", "s = y in [z]", "s = sorted(y)"):
        with pytest.raises(ScriptError):
            run(setup + tail)


def test_deep_nesting_is_refused_cleanly() -> None:
    for source in (
        "(" * 2000 + "1" + ")" * 2000,
        "-" * 2000 + "1",
        "not " * 2000 + "x",
        "x" + "[0]" * 2000,
        "+".join(["1"] * 100000),
        "[" * 150 + "]" * 150,
    ):
        problems = check(source, "eval")
        assert problems and problems[0].startswith("line 1:")
        with pytest.raises(UnsafeInput):
            evaluate(source, {"x": 1})
    # a value nested deeper than Python's recursion limit, built at run time
    env = SafeEnvironment()
    with pytest.raises(ScriptError):
        env.execute("a = []\nfor i in range(5000):\n    a = [a]\ns = str(a)", {})
    with pytest.raises(ScriptError, match="nested more than"):
        env.execute("a = []\nfor i in range(500):\n    a = [a]", {})


def test_custom_limits() -> None:
    tight = Limits(max_steps=50)
    with pytest.raises(ScriptError, match="step limit of 50"):
        evaluate("[x for x in range(100)]", {}, limits=tight)
    assert evaluate("[x for x in range(10)]", {}, limits=tight) == list(range(10))


def test_never_reaches_eval_exec_or_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    real_compile = builtins.compile

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec called")

    def ast_only_compile(source: Any, filename: Any, mode: Any, flags: int = 0, **kw: Any) -> Any:
        assert flags & ast.PyCF_ONLY_AST, "compile() to bytecode"
        return real_compile(source, filename, mode, flags, **kw)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    source = "ys = [y * 2 for y in xs if y]\nz = f'{len(ys)}件'\nok = z == '2件' and max(ys) > 3"
    names = run(source + " # uncached", {"xs": [0, 1, 2]})
    assert names["ok"] is True
    assert evaluate("sum(xs) + 1 # uncached", {"xs": [1]}) == 2


def test_long_source_is_refused() -> None:
    assert check("1 + " * 40000 + "1", "eval") == ["line 1: source longer than 100000 characters"]


# -- DMN cell expressions, as SpiffWorkflow's DMNEngine builds them -----------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('(部门) == ("市商务局")', True),
        ('(部门) == ("市发改委")', False),
        ('form["type"]== "招商引资政策不兑现"', True),
        ('form["type"]in ["a","b"]', False),
        ('form["type"] not in ["a","b"]', True),
        ("(form['count']) == (4)", True),
        ("form['count']> 3", True),
        ('"市商务局"', "市商务局"),
        ("3 < dmninputexpr < 5", True),
        # DMNEngine glues input and entry: '部门' + 'in [...]' must not read as name '部门in'
        ('部门in ["市商务局", "市发改委"]', True),
        ('部门not in ["市商务局"]', False),
        ("部门is None", False),
    ],
)
def test_dmn_cells(expression: str, expected: Any) -> None:
    env = SafeEnvironment()
    assert env.evaluate(expression, dict(DATA), {"dmninputexpr": 4}) is not None
    assert env.evaluate(expression, dict(DATA), {"dmninputexpr": 4}) == expected


# -- SafeEnvironment -----------------------------------------------------------------------


def test_environment_external_context() -> None:
    env = SafeEnvironment({"double": lambda x: 2 * x})
    context = {"a": 1, "shared": "task"}
    external = {"add": lambda x, y: x + y, "obj": 10, "shared": "data object"}
    assert env.evaluate("add(double(a), obj)", context, external) == 12
    assert env.evaluate("shared", context, external) == "task"  # task data wins
    env.execute("b = add(obj, a)\nc = double(b)", context, external)
    assert context == {"a": 1, "shared": "task", "b": 11, "c": 22}
    json.dumps(context)


def test_environment_execute_leaves_json_data() -> None:
    env = SafeEnvironment({"pair": lambda: (1, 2), "fn": lambda: print})
    context: dict[str, Any] = {"keep": object.__new__(object)}  # untouched by the script
    env.execute("p = pair()\nq = {'t': (1, [2, (3,)])}\nr = list(range(2))", context)
    assert context["p"] == [1, 2]
    assert context["q"] == {"t": [1, [2, [3]]]}
    assert context["r"] == [0, 1]
    with pytest.raises(ScriptError, match="variable 's' holds a set"):
        env.execute("s = {1, 2}", context)
    with pytest.raises(ScriptError, match="not a string"):
        env.execute("d = {1: 2}", context)
    assert set(context) == {"keep", "p", "q", "r"}  # failed scripts change nothing
    env.execute("f = fn()", context)  # callables are dropped, like SpiffWorkflow does
    assert set(context) == {"keep", "p", "q", "r"}
    context.pop("keep")
    json.dumps(context)


def test_environment_failed_script_keeps_context() -> None:
    env = SafeEnvironment()
    context = {"a": 1}
    with pytest.raises(ScriptError):
        env.execute("a = 2\nb = 1 / 0", context)
    assert context == {"a": 1}


# -- SpiffWorkflow end to end --------------------------------------------------------------

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs" targetNamespace="http://example.org/kuaiban">
  <bpmn:process id="pid" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script"/>
    <bpmn:scriptTask id="script" scriptFormat="python">
      <bpmn:script>x = a + 1
label = f"x={x}"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="to_small"/>
    <bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="big">
      <bpmn:conditionExpression>x &gt; 1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="small"/>
    <bpmn:scriptTask id="big"><bpmn:script>path = "big"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="small"><bpmn:script>path = "small"</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="small" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _run_bpmn(data: dict[str, Any], bpmn: bytes = BPMN) -> BpmnWorkflow:
    parser = BpmnParser()
    parser.add_bpmn_str(bpmn)
    engine = PythonScriptEngine(environment=SafeEnvironment({}))
    workflow = BpmnWorkflow(parser.get_spec("pid"), script_engine=engine)
    start = workflow.get_tasks(state=TaskState.READY)[0]
    start.data.update(data)
    workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize(("a", "path"), [(5, "big"), (0, "small")])
def test_spiffworkflow_script_and_gateway(a: int, path: str) -> None:
    workflow = _run_bpmn({"a": a})
    assert workflow.is_completed()
    assert workflow.data["path"] == path
    assert workflow.data["x"] == a + 1
    assert workflow.data["label"] == f"x={a + 1}"


def test_spiffworkflow_refuses_hostile_script() -> None:
    hostile = BPMN.replace(b"x = a + 1", b"x = ().__class__.__base__.__subclasses__()")
    with pytest.raises(Exception) as info:
        _run_bpmn({"a": 1}, hostile)
    # PythonScriptEngine wraps it in a WorkflowTaskException
    assert isinstance(info.value.__context__, UnsafeInput)
    assert "names starting with '_' are not allowed" in str(info.value)


DMN_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs" targetNamespace="http://example.org/kuaiban">
  <bpmn:process id="pid" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:businessRuleTask id="decide" camunda:decisionRef="route"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
    namespace="http://example.org/kuaiban">
  <decision id="route" name="route">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1" label="类型">
        <inputExpression id="e1"><text>类型</text></inputExpression>
      </input>
      <input id="i2" label="金额">
        <inputExpression id="e2"><text>金额</text></inputExpression>
      </input>
      <output id="o1" name="承办单位"/>
      <rule id="r1">
        <inputEntry id="r1a"><text>== "招商引资政策不兑现"</text></inputEntry>
        <inputEntry id="r1b"><text>-</text></inputEntry>
        <outputEntry id="r1o"><text>"市商务局"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2a"><text>in ["噪音", "污染"]</text></inputEntry>
        <inputEntry id="r2b"><text>? &gt; 100</text></inputEntry>
        <outputEntry id="r2o"><text>"市生态环境局"</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="r3a"><text>"噪音"</text></inputEntry>
        <inputEntry id="r3b"><text></text></inputEntry>
        <outputEntry id="r3o"><text>"区生态环境分局"</text></outputEntry>
      </rule>
      <rule id="r4">
        <inputEntry id="r4a"><text>-</text></inputEntry>
        <inputEntry id="r4b"><text>-</text></inputEntry>
        <outputEntry id="r4o"><text>"市政务服务中心"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize(
    ("kind", "amount", "unit"),
    [
        ("招商引资政策不兑现", 0, "市商务局"),
        ("噪音", 500, "市生态环境局"),
        ("噪音", 5, "区生态环境分局"),
        ("其他", 5, "市政务服务中心"),
    ],
)
def test_spiffworkflow_dmn(kind: str, amount: int, unit: str) -> None:
    parser = CamundaParser()
    parser.add_bpmn_str(DMN_BPMN)
    parser.add_dmn_str(DMN.encode())
    engine = PythonScriptEngine(environment=SafeEnvironment({}))
    workflow = BpmnWorkflow(parser.get_spec("pid"), script_engine=engine)
    workflow.get_tasks(state=TaskState.READY)[0].data.update({"类型": kind, "金额": amount})
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["承办单位"] == unit


def test_the_names_a_diagram_looks_up_are_noted_found_or_not() -> None:
    env = SafeEnvironment()
    data: dict[str, Any] = {"a": 1, "b": 2, "unread": 3}
    assert env.evaluate("a > 0", data) is True  # not noted: nobody asked
    with noting_reads() as seen:
        assert env.evaluate("a > 0", data) is True
        env.execute("x = b * 2", data)
        with pytest.raises(ScriptError):
            env.evaluate("missing + 1", data)
    assert seen == {"a", "b", "missing"}
    assert data["x"] == 4  # assignments pass through


def test_the_variables_a_script_sets_are_its_assignments_and_loop_variables() -> None:
    """What a script task leaves in the case's data (the audit page names the task that set
    a variable no form names): not the names it only reads, nor a comprehension's own."""
    script = """registered_at = now()
day_start = registered_at
total, rest = 1, [2]
count += 1
flags["x"] = True
for unit in units:
    seen = [u for u in units if u != unit]
"""
    assert assigned_names(script) == {"registered_at", "day_start", "total", "rest", "count",
                                      "unit", "seen"}
    assert assigned_names("import os") == frozenset()  # refused: it never runs
