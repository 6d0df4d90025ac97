"""docs/processes.md keeps up with processes/: a section and a picture for every deployed process,
pictures redrawn when a diagram changes, and only real `kuaiban` commands in its examples.

The pictures are drawn by scripts/diagram-pictures (bpmn-js in Chromium); each SVG names the
SHA-256 of the .bpmn file it was drawn from, so these tests need no browser.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import click
import pytest
from lxml import etree

from engine.api import Engine
from engine.cli import main as cli
from engine.time.clock import FixedClock
from tests.process_helpers import decision_rows

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
DOCS = ROOT / "docs"
DOC = DOCS / "processes.md"
DIAGRAMS = DOCS / "diagrams"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
REDRAW = "run scripts/diagram-pictures and commit docs/diagrams/"


# -- reading the document -------------------------------------------------------------------

def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    """The contents of the fenced code blocks (also those indented in list items)."""
    return [m.group(2) for m in re.finditer(r"^( *)```[a-z]*\n(.*?)^\1```", text, re.M | re.S)]


def prose(text: str) -> str:
    return re.sub(r"^( *)```[a-z]*\n.*?^\1```", "", text, flags=re.M | re.S)


def headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, title) of every heading outside code blocks."""
    out = []
    fenced = False
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#{1,6}) (.*)", line)):
            out.append((offset, len(m.group(1)), m.group(2).strip()))
        offset += len(line)
    return out


def section_of(text: str, key: str) -> tuple[str, str] | None:
    """The section whose heading names `key`, and the section enclosing it (or itself)."""
    heads = headings(text)

    def span(i: int) -> str:
        start, level, _ = heads[i]
        end = next((o for o, lv, _ in heads[i + 1:] if lv <= level), len(text))
        return text[start:end]

    for i, (_, level, title) in enumerate(heads):
        if f"`{key}`" in title:
            parent = next((j for j in range(i - 1, -1, -1) if heads[j][1] < level
                           and heads[j][1] > 1), i)
            return span(i), span(parent)
    return None


# -- shell command lines --------------------------------------------------------------------

def logical_lines(block: str) -> Iterator[str]:
    """Lines of a shell block, continuation lines (trailing backslash, open quotes) joined."""
    pending = ""
    for line in block.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on on the next line
            pending += "\n"
            continue
        yield pending
        pending = ""
    assert pending == "", f"unterminated shell line in docs/processes.md: {pending!r}"


def simple_commands(line: str) -> list[list[str]]:
    """The words of every simple command of a line, command substitutions $(...) included
    (they count as one word of the enclosing command)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    found: list[list[str]] = []

    def walk(i: int, inside: bool) -> int:
        words: list[str] = []
        while i < len(tokens):
            token = tokens[i]
            if token.endswith("$") and i + 1 < len(tokens) and tokens[i + 1] == "(":
                i = walk(i + 2, True)
                words.append(token[:-1] + "$(...)")
                continue
            if token == ")" and inside:
                found.append(words)
                return i + 1
            if set(token) <= set("();<>|&"):
                found.append(words)
                words = []
            else:
                words.append(token)
            i += 1
        found.append(words)
        return i

    walk(0, False)
    return [words for words in found if words]


def kuaiban_args(words: list[str]) -> list[str] | None:
    """The arguments of `kuaiban` when it is the command of these words (after assignments)."""
    for n, word in enumerate(words):
        if word == "kuaiban" or word.endswith("/kuaiban"):
            return words[n + 1:]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            return None
    return None


def shell_commands(text: str) -> list[list[str]]:
    return [words for block in code_blocks(text) for line in logical_lines(block)
            for words in simple_commands(line)]


def inline_kuaiban(text: str) -> list[list[str]]:
    """Inline code spans of the prose that are kuaiban command lines."""
    spans = re.findall(r"`(kuaiban\s[^`]*)`", prose(text))
    return [words for span in spans for words in simple_commands(" ".join(span.split()))]


def option_names(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def check_kuaiban(args: list[str]) -> str | None:
    """None when `kuaiban ARGS` names a real (sub)command and only its options, else why not."""
    rest = [a for a in args if a not in ("-v", "--verbose")]
    if not rest or rest[0] == "--help":
        return None
    command: click.Command | None = cli.commands.get(rest[0])
    if command is None:
        return f"no subcommand {rest[0]!r} (there are {', '.join(sorted(cli.commands))})"
    rest = rest[1:]
    if isinstance(command, click.Group):
        if not rest or rest[0] == "--help":
            return None
        sub = command.commands.get(rest[0])
        if sub is None:
            return f"no subcommand {rest[0]!r} of {command.name!r}"
        command, rest = sub, rest[1:]
    for word in rest:
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            if name not in option_names(command):
                return f"{command.name!r} has no option {name}"
    return None


# -- the processes --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The keys of the processes that deploying processes/ and forms/ makes."""
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'kuaiban.db'}"
    engine = Engine(url, clock=FixedClock(datetime.fromisoformat("2026-09-30T16:00:00+08:00")))
    try:
        engine.deploy_directory(PROCESSES, FORMS)
        return {p.key for p in engine.processes()}
    finally:
        engine.close()


def process_files() -> dict[str, Path]:
    """Process key -> the .bpmn file that holds it."""
    out = {}
    for path in sorted(PROCESSES.glob("*.bpmn")):
        for process in etree.parse(str(path)).iter(f"{BPMN}process"):
            out[process.get("id")] = path
    return out


def user_task_ids() -> set[str]:
    return {task.get("id") for path in PROCESSES.glob("*.bpmn")
            for task in etree.parse(str(path)).iter(f"{BPMN}userTask")}


def test_the_per_process_pages_were_merged_into_one_document() -> None:
    assert DOC.is_file()
    assert not (DOCS / "processes").exists(), (
        "docs/processes/ was merged into docs/processes.md: write a section there instead")


def test_every_deployed_process_has_a_section_with_its_picture(deployed: set[str]) -> None:
    text = doc_text()
    files = process_files()
    assert deployed, "deploying processes/ made no process"
    problems = []
    for key in sorted(deployed):
        found = section_of(text, key)
        if found is None:
            problems.append(f"{key}: no section (a heading with `{key}`) in docs/processes.md")
            continue
        section, enclosing = found
        picture = f"diagrams/{files[key].stem}.svg"
        if not re.search(rf"!\[[^\]]*\]\({re.escape(picture)}\)", section + enclosing):
            problems.append(f"{key}: its section shows no picture ![{key}]({picture})")
    assert not problems, "\n" + "\n".join(problems)


def test_every_diagram_has_an_up_to_date_picture() -> None:
    problems = []
    for path in sorted(PROCESSES.glob("*.bpmn")):
        svg, png = DIAGRAMS / f"{path.stem}.svg", DIAGRAMS / f"{path.stem}.png"
        if not svg.is_file() or not png.is_file():
            problems.append(f"{path.name}: no docs/diagrams/{path.stem}.svg and .png; {REDRAW}")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        source = re.search(r"<!-- source: (\S+) sha256:([0-9a-f]{64})", svg.read_text("utf-8"))
        if source is None or source.groups() != (f"processes/{path.name}", digest):
            problems.append(f"{path.name} changed after its picture was drawn; {REDRAW}")
        assert png.read_bytes().startswith(b"\x89PNG"), png
    stale = sorted(p.name for p in DIAGRAMS.glob("*.*")
                   if not (PROCESSES / f"{p.stem}.bpmn").exists())
    assert problems == [] and stale == [], (problems, stale)


def test_the_document_links_only_to_what_exists() -> None:
    text = doc_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose(text)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        if target.startswith("#"):
            if target[1:] not in anchors:
                problems.append(f"no anchor {target}")
        elif not (DOCS / target.split("#")[0]).exists():
            problems.append(f"no file docs/{target}")
    assert problems == []


def test_every_kuaiban_command_of_the_document_is_real() -> None:
    text = doc_text()
    in_blocks = [args for words in shell_commands(text)
                 if (args := kuaiban_args(words)) is not None]
    inline = [args for words in inline_kuaiban(text) if (args := kuaiban_args(words)) is not None]
    assert len(in_blocks) > 100 and len(inline) > 10  # the parser found the walkthroughs
    problems = [f"kuaiban {' '.join(args)}: {why}" for args in in_blocks + inline
                if (why := check_kuaiban(args)) is not None]
    assert problems == []


def test_the_walkthroughs_use_their_users_and_real_tasks() -> None:
    commands = shell_commands(doc_text())
    added = {args[2] for words in commands if (args := kuaiban_args(words))
             and args[:2] == ["users", "add"]}
    acting = {args[args.index("--as") + 1] for words in commands
              if (args := kuaiban_args(words)) and "--as" in args[:-1]}
    assert {u for u in acting if not u.startswith("$")} <= added
    tasks = user_task_ids()
    picked = [(words[1], words[2]) for words in commands if words[0] == "task" and len(words) == 3]
    assert picked, "the walkthroughs pick tasks with the task helper"
    assert [(u, t) for u, t in picked if u not in added or t not in tasks] == []


def test_the_catalogue_section_copies_the_decision_table() -> None:
    rows = {key: row for key, row in decision_rows(PROCESSES / "policy_catalogue.dmn").items()
            if key != "-"}
    text = doc_text()
    start = text.index('<a id="policy_catalogue"></a>')
    section = text[start:text.index("<a id=", start + 1)]
    listed = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"[A-Z]{2}-\d{3}", cells[0]):
            listed[cells[0]] = cells[1:]
    assert set(listed) == set(rows)
    for policy_id, row in rows.items():
        name, mode, dept, limit, subjects, amount, basis = listed[policy_id]
        assert (name, mode, dept, int(limit), subjects, amount, basis) == (
            row["policy_name"], row["policy_mode"], row["owning_dept"], row["time_limit_days"],
            row["eligible_subjects"], row["amount_rule"], row["policy_basis"]), policy_id


# -- the parser itself ----------------------------------------------------------------------

def test_command_lines_are_parsed_like_the_shell_does() -> None:
    block = """X=$(kuaiban start a --as li --data '{"k": "#1",
  "m": 2}')   # starts
kuaiban complete $(task li propose) --as li | jq .
E=$(kuaiban show 1 \\
      --json)
"""
    commands = [words for line in logical_lines(block) for words in simple_commands(line)]
    assert commands == [
        ["kuaiban", "start", "a", "--as", "li", "--data", '{"k": "#1",\n  "m": 2}'],
        ["X=$(...)"],
        ["task", "li", "propose"],
        ["kuaiban", "complete", "$(...)", "--as", "li"],
        ["jq", "."],
        ["kuaiban", "show", "1", "--json"],
        ["E=$(...)"],
    ]
    assert check_kuaiban(["complete", "x", "--as", "li"]) is None
    assert check_kuaiban(["users", "add", "li", "--role", "intake"]) is None
    assert check_kuaiban(["finish", "x"]) is not None
    assert check_kuaiban(["users", "remove", "li"]) is not None
    assert check_kuaiban(["tasks", "--mine"]) is not None
    assert kuaiban_args(["KUAIBAN_NOW=x", "kuaiban", "timers"]) == ["timers"]
    assert kuaiban_args(["echo", "kuaiban"]) is None
