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
          // the whole procedure, so that its start, its lanes' names and the path taken are all
          // in view; the zoom buttons read closer
          kuaibanDiagramView.fit(viewer);
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
