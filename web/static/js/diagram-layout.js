// Layout problems of the diagram a bpmn-js viewer or modeler has drawn, measured from the
// rendered text so they match what bpmn.io and Camunda Modeler show: labels that overlap
// shapes, other labels or flows, or cross a lane border; names that overflow their shape;
// overlapping shapes; flows running through shapes.
//
// kuaibanLayoutProblems(bpmnjs) returns [{element, problem, id, code, other}]: `element` and
// `problem` name the element and say what is wrong in English (scripts/diagram-pictures and
// tests/test_diagram_layout.py print them); `id` is the diagram element to select, `code` and
// `other` (the other element's name, when there is one) let the modeler say it in the page's
// language. One implementation for the command line, the tests and the modeler.
function kuaibanLayoutProblems(bpmnjs) {
  'use strict';
  const registry = bpmnjs.get('elementRegistry');
  const canvas = bpmnjs.get('canvas');
  const CONTAINERS = new Set(['bpmn:Participant', 'bpmn:Lane', 'bpmn:Group']);
  const SLACK = 1; // pixels two boxes may share before they count as overlapping
  const PROBLEMS = {
    labelOverlaps: 'label overlaps {other}',
    labelCrossesBorder: 'label crosses the border of {other}',
    labelCrossedByFlow: 'label is crossed by the flow {other}',
    labelOverlapsLabel: 'label overlaps the label of {other}',
    nameOverflows: 'name does not fit inside the shape',
    shapeOverlaps: 'shape overlaps {other}',
    flowThroughShape: 'flow runs through {other}'
  };

  const typeOf = (el) => el.businessObject && el.businessObject.$type;
  const nameOf = (el) => {
    const target = el.labelTarget || el;
    const bo = target.businessObject || {};
    return bo.name ? `${bo.id} "${bo.name.replace(/\s+/g, ' ')}"` : bo.id || target.id;
  };
  const isContainer = (el) => CONTAINERS.has(typeOf(el)) ||
    (typeOf(el) === 'bpmn:SubProcess' && el.di && el.di.isExpanded);
  const isNode = (el) => !el.waypoints && el.type !== 'label' && !isContainer(el) &&
    el.parent && typeOf(el) !== 'bpmn:Process' && typeOf(el) !== 'bpmn:Collaboration';
  const rect = (el) => ({ x: el.x, y: el.y, w: el.width, h: el.height });
  const overlap = (a, b) =>
    a.x + SLACK < b.x + b.w && b.x + SLACK < a.x + a.w &&
    a.y + SLACK < b.y + b.h && b.y + SLACK < a.y + a.h;
  const inside = (a, b) =>
    a.x >= b.x - SLACK && a.y >= b.y - SLACK &&
    a.x + a.w <= b.x + b.w + SLACK && a.y + a.h <= b.y + b.h + SLACK;

  // The box of an element's drawn text, in diagram coordinates (null when it has none).
  const textBox = (el) => {
    const gfx = canvas.getGraphics(el);
    const text = gfx && gfx.querySelector('text.djs-label');
    if (!text || !text.textContent.trim()) return null;
    const b = text.getBBox();
    return { x: el.x + b.x, y: el.y + b.y, w: b.width, h: b.height };
  };

  // Does the segment p-q cross the inside of box r (shrunk by SLACK)?
  const crosses = (p, q, r) => {
    const x0 = r.x + SLACK, y0 = r.y + SLACK, x1 = r.x + r.w - SLACK, y1 = r.y + r.h - SLACK;
    if (x1 <= x0 || y1 <= y0) return false;
    let t0 = 0, t1 = 1;
    const dx = q.x - p.x, dy = q.y - p.y;
    for (const [pp, qq] of [[-dx, p.x - x0], [dx, x1 - p.x], [-dy, p.y - y0], [dy, y1 - p.y]]) {
      if (pp === 0) { if (qq < 0) return false; continue; }
      const t = qq / pp;
      if (pp < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
      else { if (t < t0) return false; if (t < t1) t1 = t; }
    }
    return t0 < t1;
  };
  const segments = (conn) => conn.waypoints.slice(1).map((q, i) => [conn.waypoints[i], q]);

  const all = registry.getAll();
  const nodes = all.filter(isNode);
  const containers = all.filter(isContainer);
  const connections = all.filter((el) => el.waypoints);
  const labels = all.filter((el) => el.type === 'label')
    .map((el) => ({ el, box: textBox(el) })).filter((l) => l.box);
  const problems = [];
  const report = (el, code, otherEl) => {
    const other = otherEl ? nameOf(otherEl) : undefined;
    problems.push({ element: nameOf(el), problem: PROBLEMS[code].replace('{other}', other),
                    id: (el.labelTarget || el).id, code, other });
  };

  for (const { el, box } of labels) {
    const own = el.labelTarget;
    for (const node of nodes) {
      if (node !== own && overlap(box, rect(node))) report(el, 'labelOverlaps', node);
    }
    for (const c of containers) {
      const r = rect(c);
      if (overlap(box, r) && !inside(box, r)) report(el, 'labelCrossesBorder', c);
    }
    for (const conn of connections) {
      if (conn === own) continue;
      if (segments(conn).some(([p, q]) => crosses(p, q, box))) {
        report(el, 'labelCrossedByFlow', conn);
      }
    }
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (overlap(labels[i].box, labels[j].box)) {
        report(labels[i].el, 'labelOverlapsLabel', labels[j].el);
      }
    }
  }
  for (const node of nodes) {
    const box = textBox(node);
    if (box && !inside(box, rect(node))) report(node, 'nameOverflows');
  }
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      if (overlap(rect(nodes[i]), rect(nodes[j])) &&
          nodes[i].host !== nodes[j] && nodes[j].host !== nodes[i]) {
        report(nodes[i], 'shapeOverlaps', nodes[j]);
      }
    }
  }
  for (const conn of connections) {
    for (const node of nodes) {
      if (node === conn.source || node === conn.target) continue;
      if (conn.source && conn.source.host === node) continue; // leaves a boundary event
      if (segments(conn).some(([p, q]) => crosses(p, q, rect(node)))) {
        report(conn, 'flowThroughShape', node);
      }
    }
  }
  return problems;
}
