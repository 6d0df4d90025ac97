// The diagram viewer: bpmn-js NavigatedViewer (served from node_modules by /vendor/bpmn-js/),
// with the path taken, the active elements and the current task highlighted.
(function () {
  'use strict';
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
          // what to show at a readable size in a wide procedure: the task of this page, else
          // the case's first open step (not the sub-process around it, nor the boundary events
          // waiting on it); a case with none opens on its start
          function shape(id) { var el = id && registry.get(id); return el && el.width ? el : null; }
          function isStep(el) {
            return el.type !== 'bpmn:SubProcess' && el.type !== 'bpmn:BoundaryEvent';
          }
          var active = (d.active || []).map(shape).filter(Boolean);
          kuaibanDiagramView.first(viewer, shape(box.dataset.current) ||
            active.filter(isStep)[0] || active[0]);
          kuaibanDiagramView.controls(viewer, box.parentNode);
          kuaibanDiagramView.touch(viewer);
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
