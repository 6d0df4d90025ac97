"""Pages that must fit their screen, measured in real Chromium (tests/browser_support.py): the
unit directory on a phone (each card's values in its value column, no card shifted by the
tree's indentation, the subtrees folded under their department), the links of the graph
comparison on a phone, and search boxes whose hint shows whole on a phone and on a laptop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from engine.definitions.validation import SourceFile
from tests.browser_support import Server, error_watched_page, serve, sign_in
from tests.browser_support import browser as browser  # the fixture
from tests.test_browser_diagram_view import WIDEST, renamed
from tests.test_ui_support import frozen, make_engine
from web.ui.assets import ROOT as REPO

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "locale": "zh-CN"}
LAPTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}

# the placeholder's width in its input's font, and the room inside the input
PLACEHOLDER = """sel => {
    const input = document.querySelector(sel), s = getComputedStyle(input);
    const pen = document.createElement('canvas').getContext('2d');
    pen.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    return [pen.measureText(input.placeholder).width,
            input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)];
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    clock = frozen("2026-09-30T10:00:00+08:00")
    engine = make_engine(tmp_path_factory.mktemp("page-fit"), clock)
    engine.deploy_directory(REPO / "processes", REPO / "forms")
    xml, _, _ = renamed(WIDEST)
    engine.deploy([SourceFile(WIDEST.name, xml)])  # a second version to compare
    yield from serve(engine, clock)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    with error_watched_page(browser, **PHONE) as pg:
        yield pg


def hint_fits(page: Any, selector: str) -> None:
    text, room = page.evaluate(PLACEHOLDER, selector)
    assert text <= room, (selector, text, room)


def test_the_unit_directory_on_a_phone(phone: Any, server: Server) -> None:
    sign_in(phone, server, "design")
    phone.goto(server.url + "/units/")
    phone.wait_for_selector("#units.collapsed-tree")
    hint_fits(phone, "#units-q")
    # each card's values start at one line: not pushed right by the unit's depth, and the
    # aliases under the full name, not in the label column
    starts = phone.evaluate("""() => [...document.querySelectorAll('#units tbody tr')]
        .filter(r => r.offsetParent).map(r => [...r.querySelectorAll(':scope > td > div')]
        .filter(d => d.offsetParent)
        .map(d => Math.round(d.getBoundingClientRect().left)))""")
    assert len({x for row in starts for x in row}) == 1, starts
    aliases = phone.evaluate("""() => [...document.querySelectorAll('#units td small')]
        .filter(s => s.offsetParent).map(s => [
            Math.round(s.getBoundingClientRect().left),
            Math.round(s.closest('td').querySelector('div').getBoundingClientRect().left)])""")
    assert aliases and all(small >= value for small, value in aliases), aliases
    # the offices under a department are folded: the page is a few screens, not twenty
    height = phone.evaluate("() => document.documentElement.scrollHeight")
    assert height < 9000, height
    button = phone.locator("#units .subtree").first
    unit = button.evaluate("b => b.closest('tr').dataset.unit")
    below = phone.locator(f"#units tr[data-parent='{unit}']")
    assert below.count() > 0 and not below.first.is_visible()
    button.click()
    assert below.first.is_visible() and button.get_attribute("aria-expanded") == "true"
    # a search shows every unit found, none folded
    phone.fill("#units-q", "纪委")
    phone.click("form.filters button")
    phone.wait_for_url("**q=**")
    found = phone.locator("#units tbody tr")
    assert found.count() > 1 and all(found.nth(n).is_visible() for n in range(found.count()))


def test_the_graph_comparison_links_keep_their_line_on_a_phone(phone: Any,
                                                              server: Server) -> None:
    sign_in(phone, server, "design")
    _, key, _ = renamed(WIDEST)
    phone.goto(server.url + f"/designer/modeler/{key}/diff?old=1&new=2")
    # the "·" between the two links sits on their line, not alone on its own
    tops = phone.evaluate("""() => {
        const links = document.querySelector('.diff-links');
        const dot = [...links.childNodes].find(n => n.nodeType === 3 && n.data.includes('·'));
        const range = document.createRange();
        range.selectNodeContents(dot);
        const [a, b] = links.querySelectorAll('a');
        return [a, b, range].map(x => Math.round([...x.getClientRects()].pop().bottom));
    }""")
    assert max(tops) - min(tops) <= 4, tops


def test_the_policy_search_shows_its_whole_hint_on_a_laptop(browser: Any,
                                                            server: Server) -> None:
    with error_watched_page(browser, **LAPTOP) as page:
        sign_in(page, server, "design")
        page.goto(server.url + "/policies")
        hint_fits(page, "#policy-search input[type=search]")
