"""Every deployed diagram looks right in bpmn.io: bpmn-js draws it in Chromium and
web/static/js/diagram-layout.js (kuaibanLayoutProblems, which the modeler also runs live)
measures the drawn labels and shapes (labels clear of other shapes, labels, flows and lane
borders; names inside their shapes; no overlapping shapes; no flow through an unrelated
shape). The check itself is tested on small diagrams with one fault each.

Text is measured as drawn, so Chromium needs a Chinese font (Debian: fonts-noto-cjk; without
one every character is drawn as a narrow box and long names look shorter than they are).
Skipped, with the reason, when Chromium, the font, Playwright or node_modules is missing, unless
KUAIBAN_REQUIRE_BROWSER=1 (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import chromium, unavailable

ROOT = Path(__file__).resolve().parent.parent
VIEWER = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
LAYOUT = ROOT / "web" / "static" / "js" / "diagram-layout.js"
PROCESSES = sorted((ROOT / "processes").glob("*.bpmn"))

# Width in pixels of ten Chinese characters at bpmn-js's 12 px: about 120 with a CJK font.
CJK_WIDTH = """() => {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  const text = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  text.setAttribute('style', 'font-family: Arial, sans-serif; font-size: 12px');
  text.textContent = '受理登记核查审批办结';
  svg.appendChild(text);
  document.body.appendChild(svg);
  const width = text.getComputedTextLength();
  svg.remove();
  return width;
}"""

IMPORT = """async (xml) => {
  if (window.viewer) { window.viewer.destroy(); }
  window.viewer = new BpmnJS({ container: '#canvas' });
  const { warnings } = await window.viewer.importXML(xml);
  return warnings.map((w) => w.message);
}"""


@pytest.fixture(scope="module")
def viewer_page() -> Iterator[Any]:
    missing = f"{VIEWER.relative_to(ROOT)} is missing: run scripts/setup-frontend"
    with chromium((VIEWER, missing)) as browser:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        page.set_content('<!doctype html><meta charset="utf-8">'
                         '<div id="canvas" style="width:800px;height:600px"></div>')
        page.add_script_tag(path=str(VIEWER))
        page.add_script_tag(path=str(LAYOUT))
        if page.evaluate(CJK_WIDTH) < 100:
            unavailable("Chromium has no Chinese font: apt-get install fonts-noto-cjk")
        yield page


def layout_problems(page: Any, xml: str) -> list[str]:
    warnings = page.evaluate(IMPORT, xml)
    assert warnings == [], warnings
    found = page.evaluate("() => kuaibanLayoutProblems(window.viewer)")
    return [f"{p['element']}: {p['problem']}" for p in found]


@pytest.mark.parametrize("path", PROCESSES, ids=[p.stem for p in PROCESSES])
def test_deployed_diagram_has_no_layout_problems(viewer_page: Any, path: Path) -> None:
    assert layout_problems(viewer_page, path.read_text(encoding="utf-8")) == []


# -- the check, on small diagrams --------------------------------------------------------------

def diagram(shapes: str, edges: str = "", flows: str = "") -> str:
    """Start event → task → end event in one lane, with the given DI and extra flows."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <collaboration id="c"><participant id="pool" name="池" processRef="p"/></collaboration>
  <process id="p" isExecutable="true">
    <laneSet id="ls"><lane id="lane" name="受理员">
      <flowNodeRef>s</flowNodeRef><flowNodeRef>t</flowNodeRef><flowNodeRef>e</flowNodeRef>
    </lane></laneSet>
    <startEvent id="s" name="收到线索"/>
    <task id="t" name="登记"/>
    <endEvent id="e" name="完成"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    {flows}
  </process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="c">
    <bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true">
      <dc:Bounds x="100" y="100" width="600" height="200"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="lane_di" bpmnElement="lane" isHorizontal="true">
      <dc:Bounds x="130" y="100" width="570" height="200"/></bpmndi:BPMNShape>
    {shapes}
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
      <di:waypoint x="218" y="200"/><di:waypoint x="300" y="200"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
      <di:waypoint x="400" y="200"/><di:waypoint x="482" y="200"/></bpmndi:BPMNEdge>
    {edges}
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""


def start(label: str = '<dc:Bounds x="176" y="225" width="44" height="14"/>') -> str:
    return (f'<bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="182" y="182" width="36"'
            f' height="36"/><bpmndi:BPMNLabel>{label}</bpmndi:BPMNLabel></bpmndi:BPMNShape>')


TASK = ('<bpmndi:BPMNShape id="t_di" bpmnElement="t"><dc:Bounds x="300" y="160" width="100"'
        ' height="80"/></bpmndi:BPMNShape>')
END = ('<bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="482" y="182" width="36"'
       ' height="36"/><bpmndi:BPMNLabel><dc:Bounds x="478" y="225" width="44" height="14"/>'
       '</bpmndi:BPMNLabel></bpmndi:BPMNShape>')


def test_a_tidy_diagram_passes(viewer_page: Any) -> None:
    assert layout_problems(viewer_page, diagram(start() + TASK + END)) == []


def test_a_label_on_a_task_is_reported(viewer_page: Any) -> None:
    label = '<dc:Bounds x="310" y="190" width="44" height="14"/>'
    problems = layout_problems(viewer_page, diagram(start(label) + TASK + END))
    assert 's "收到线索": label overlaps t "登记"' in problems


def test_a_label_across_the_lane_border_is_reported(viewer_page: Any) -> None:
    label = '<dc:Bounds x="176" y="292" width="44" height="14"/>'
    problems = layout_problems(viewer_page, diagram(start(label) + TASK + END))
    assert 's "收到线索": label crosses the border of lane "受理员"' in problems


def test_a_label_on_a_flow_is_reported(viewer_page: Any) -> None:
    label = '<dc:Bounds x="240" y="193" width="44" height="14"/>'
    problems = layout_problems(viewer_page, diagram(start(label) + TASK + END))
    assert 's "收到线索": label is crossed by the flow f1' in problems


def test_a_flow_through_a_shape_is_reported(viewer_page: Any) -> None:
    flow = '<sequenceFlow id="f3" sourceRef="s" targetRef="e"/>'
    edge = ('<bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="218" y="200"/>'
            '<di:waypoint x="482" y="200"/></bpmndi:BPMNEdge>')
    problems = layout_problems(viewer_page, diagram(start() + TASK + END, edge, flow))
    assert 'f3: flow runs through t "登记"' in problems


def test_a_name_too_long_for_its_task_is_reported(viewer_page: Any) -> None:
    xml = diagram(start() + TASK + END).replace(
        'name="登记"', 'name="' + "受理登记并核对全部材料后形成处置意见报分管领导审批" * 2 + '"')
    problems = layout_problems(viewer_page, xml)
    assert any(p.startswith("t ") and p.endswith("name does not fit inside the shape")
               for p in problems), problems
