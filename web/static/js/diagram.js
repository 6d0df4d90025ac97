// The diagram viewer: bpmn-js NavigatedViewer (served from node_modules by /vendor/bpmn-js/),
// with the path taken, the active elements and the current task highlighted.
(function () {
  'use strict';
  // where a view of ``size`` starts so that it stays on the diagram (start..start+length),
  // not on empty canvas beside it; centred when the diagram is the smaller
  function within(wanted, start, length, size) {
    var margin = 20;
    if (size >= length + 2 * margin) return start + length / 2 - size / 2;
    return Math.min(Math.max(wanted, start - margin), start + length + margin - size);
  }
  function show(box) {
    var viewer = new BpmnJS({ container: box });
    fetch(box.dataset.url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) {
        return viewer.importXML(d.xml).then(function () {
          var canvas = viewer.get('canvas');
          var registry = viewer.get('elementRegistry');
          function mark(ids, css) {
            (ids || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, css); });
          }
          mark(d.completed, 'kb-done');
          mark(d.flows, 'kb-done');
          mark(d.active, 'kb-active');
          if (box.dataset.current) mark([box.dataset.current], 'kb-current');
          canvas.zoom('fit-viewport', 'auto');
          // what to show at a readable size in a wide procedure: the task of this page, else
          // the case's first open step, else the end it reached
          function shape(id) { var el = id && registry.get(id); return el && el.width ? el : null; }
          function isEnd(el) { return el.businessObject.$type === 'bpmn:EndEvent'; }
          var focus = shape(box.dataset.current) ||
            (d.active || []).map(shape).filter(Boolean)[0] ||
            (d.completed || []).map(shape).filter(Boolean).filter(isEnd)[0];
          var vb = canvas.viewbox();
          if (focus && vb.scale < 0.7) {
            var s = 0.85, w = vb.outer.width / s, h = vb.outer.height / s;
            canvas.viewbox({ x: within(focus.x + focus.width / 2 - w / 2, vb.inner.x, vb.inner.width, w),
                             y: within(focus.y + focus.height / 2 - h / 2, vb.inner.y, vb.inner.height, h),
                             width: w, height: h });
          }
          var fit = box.parentNode.querySelector('[data-fit]');
          if (fit) {
            fit.hidden = false;
            fit.addEventListener('click', function () { canvas.zoom('fit-viewport', 'auto'); });
          }
          box.setAttribute('data-ready', 'true');
        });
      })
      .catch(function (err) {
        box.textContent = (box.dataset.error || 'diagram unavailable') + ' (' + err.message + ')';
        box.setAttribute('data-ready', 'error');
      });
  }
  document.querySelectorAll('[data-url].diagram').forEach(show);
})();
