"""Untrusted XML: no DTDs, entities or network; size, element and depth limits, all fast."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from engine.api import Engine
from engine.definitions import xmlsafe
from engine.definitions.validation import SourceFile, check_files
from engine.errors import EngineError, UnsafeInput, ValidationFailed
from tests.conftest import DIAGRAMS, diagram_files, source

BAD = DIAGRAMS / "bad"
APPROVAL = (DIAGRAMS / "approval.bpmn").read_text(encoding="utf-8")
SECRET = Path("/etc/passwd")
FAST = 5.0  # CPU seconds, which a busy machine does not stretch; unguarded parsing takes minutes
SMALL = 64 * 1024 * 1024  # bytes of Python memory a refusal may take at most


def refused(content: bytes | str, name: str = "x.bpmn") -> tuple[EngineError, float, int]:
    """Parse ``content``, which must be refused; return the error, the seconds the refusal
    took and its peak Python memory (measured in a second run: tracing slows parsing)."""
    data = content.encode("utf-8") if isinstance(content, str) else content

    def attempt() -> EngineError:
        try:
            xmlsafe.parse(data, name)
        except (UnsafeInput, ValidationFailed) as exc:
            return exc
        raise AssertionError("the document was accepted")

    began = time.process_time()
    error = attempt()
    elapsed = time.process_time() - began
    tracemalloc.start()
    try:
        attempt()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return error, elapsed, peak


def message(error: EngineError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(str(p) for p in error.problems)
    return str(error.details)


def test_xxe_is_refused_fast_and_reads_no_file() -> None:
    text = (BAD / "xxe.bpmn").read_text(encoding="utf-8")
    error, elapsed, peak = refused(text, "xxe.bpmn")
    assert isinstance(error, UnsafeInput)
    assert elapsed < FAST and peak < SMALL
    assert message(error) == (
        "xxe.bpmn:2: -: DTDs and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed")
    if SECRET.exists():
        first = SECRET.read_text(encoding="utf-8", errors="replace").split(":")[0]
        assert first not in message(error).replace("xxe.bpmn", "")


def test_billion_laughs_is_refused_fast_without_blowing_memory() -> None:
    text = (BAD / "billion_laughs.bpmn").read_text(encoding="utf-8")
    error, elapsed, peak = refused(text, "billion_laughs.bpmn")
    assert isinstance(error, UnsafeInput)
    assert elapsed < FAST and peak < SMALL
    assert "DTDs and entity declarations" in message(error)


@pytest.mark.parametrize(
    "doc",
    [
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',  # network fetch of a DTD
        '<!DOCTYPE r PUBLIC "-//X//Y" "file:///etc/passwd"><r/>',
        '<?xml version="1.0"?>\n<!doctype r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/">%p;]><r/>',
        '<!DOCTYPE r [\n]><r/>',  # even an empty internal subset
    ],
)
def test_every_doctype_is_refused(doc: str) -> None:
    error, elapsed, _ = refused(doc)
    assert isinstance(error, UnsafeInput) and elapsed < FAST
    assert "not allowed" in message(error)


def test_undeclared_entities_are_not_well_formed() -> None:
    error, elapsed, _ = refused("<r>\n<a>&e;</a></r>")
    assert isinstance(error, ValidationFailed) and elapsed < FAST
    (problem,) = error.problems
    assert (problem.line, problem.message) == (2, "not well-formed XML: Entity 'e' not defined")


@pytest.mark.parametrize("depth", [xmlsafe.MAX_DEPTH + 1, 300, 100_000])
def test_deep_nesting_is_refused_fast(depth: int) -> None:
    error, elapsed, peak = refused("<a>" * depth + "</a>" * depth)
    assert isinstance(error, UnsafeInput)
    assert elapsed < FAST and peak < SMALL
    assert f"nested deeper than {xmlsafe.MAX_DEPTH} levels" in message(error)


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = xmlsafe.MAX_DEPTH
    tree = xmlsafe.parse(("<a>" * depth + "</a>" * depth).encode(), "ok.bpmn")
    assert len(list(tree.getroot().iter())) == depth


@pytest.mark.parametrize("count", [xmlsafe.MAX_ELEMENTS, 10_001, 200_000])
def test_too_many_elements_are_refused_fast(count: int) -> None:
    lines = "\n".join("<a/>" for _ in range(count))
    error, elapsed, peak = refused(f"<r>\n{lines}\n</r>")
    assert isinstance(error, UnsafeInput)
    assert elapsed < FAST and peak < SMALL
    assert f"more than {xmlsafe.MAX_ELEMENTS} elements" in message(error)
    assert error.details.line == xmlsafe.MAX_ELEMENTS + 1  # the first element over the limit


def test_a_large_but_allowed_document_parses() -> None:
    body = "".join(f'<a id="n{i}"/>' for i in range(xmlsafe.MAX_ELEMENTS - 1))
    tree = xmlsafe.parse(f"<r>{body}</r>".encode(), "big.bpmn")
    assert len(tree.getroot()) == xmlsafe.MAX_ELEMENTS - 1


def test_oversized_files_are_refused_before_parsing() -> None:
    error, elapsed, _ = refused(b"<r>" + b" " * (xmlsafe.MAX_BYTES + 1) + b"</r>")
    assert isinstance(error, UnsafeInput) and elapsed < FAST
    assert "larger than 5 MB" in message(error)


def test_start_tags_over_several_lines_report_their_first_line() -> None:
    tree = xmlsafe.parse(b'<r>\n  <a\n    x="1"\n    y="2"/>\n  <b/></r>', "x.bpmn")
    a, b = tree.getroot()
    assert (a.sourceline, b.sourceline) == (2, 5)


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_hostile_files_fail_validation_with_one_clear_problem(name: str) -> None:
    began = time.perf_counter()
    checked = check_files([source(BAD / name), *diagram_files("approval.bpmn")])
    assert time.perf_counter() - began < 2 * FAST
    (problem,) = checked.problems
    assert (problem.file, problem.line) == (name, 2)
    assert "DTDs and entity declarations" in problem.message


def test_hostile_dmn_and_deep_bpmn_fail_deploy(engine: Engine) -> None:
    xxe = (BAD / "xxe.bpmn").read_text(encoding="utf-8")
    deep = APPROVAL.replace("</bpmn:process>", "<bpmn:documentation>" + "<a>" * 100
                            + "</a>" * 100 + "</bpmn:documentation></bpmn:process>")
    began = time.perf_counter()
    with pytest.raises(ValidationFailed) as err:
        engine.deploy([SourceFile("rules.dmn", xxe), SourceFile("deep.bpmn", deep)])
    assert time.perf_counter() - began < 2 * FAST
    assert {(p.file, "not allowed" in p.message or "nested deeper" in p.message)
            for p in err.value.problems} == {("rules.dmn", True), ("deep.bpmn", True)}
    assert engine.processes() == []
