// What a diagram drawn by bpmn-js (the modeler, the case and version viewers, the two versions
// of "what changed") shows first, and its zoom buttons and shortcuts.
//
// First view: the whole diagram when that keeps it readable (zoom READABLE or more). Else, at a
// readable zoom, around the element to show (the case's step; without one, the start event):
// at 100 % when its pool's lanes fit the canvas's height, at the zoom that fits them when that
// is still readable, else at OPEN. The pool's left edge, where the pool's and lanes' names are,
// is in view when the element still is with it (zoomed out for that, never below READABLE);
// else the element is in the middle (it wins: so on a phone, unless it is near the start).
// Always clear of the palette the modeler draws over the canvas's left edge.
//
// Zoom: buttons [data-zoom=in|out|fit] in the given element, and, when the canvas has the
// focus, Ctrl + / Ctrl - / Ctrl 0 (100 %) and Shift 1 (the whole diagram). The modeler has the
// first three from bpmn-js already; the viewers get them here.
//
// Linked diagrams (the two versions side by side): they open on one view, of what they draw
// together, so an element drawn at the same place in each shows at the same place on screen;
// zooming or panning one zooms or pans the others by the same factor and the same distance on
// screen, while they are linked.
var kuaibanDiagramView = (function () {
  'use strict';
  var READABLE = 0.8; // the smallest zoom whose names read without effort
  var OPEN = 0.85; // the zoom of a first view that cannot show the pool's lanes whole
  var MARGIN = 20; // pixels left free around the diagram

  // how far from the canvas's left edge something drawn over it (the palette) reaches
  function covered(bpmnjs) {
    var container = bpmnjs.get('canvas').getContainer();
    var palette = container.querySelector('.djs-palette');
    if (!palette) return 0;
    return Math.max(0, palette.getBoundingClientRect().right -
                       container.getBoundingClientRect().left);
  }

  // the part of the canvas nothing covers, in pixels
  function free(bpmnjs) {
    var outer = bpmnjs.get('canvas').viewbox().outer;
    var left = covered(bpmnjs) + MARGIN;
    return { left: left, top: MARGIN, width: outer.width - left - MARGIN,
             height: outer.height - 2 * MARGIN };
  }

  // the whole diagram (or ``bounds``, in its coordinates), centred in the free part of the
  // canvas, never above 100 %; its zoom
  function fit(bpmnjs, bounds) {
    var canvas = bpmnjs.get('canvas');
    var vb = canvas.viewbox(), inner = bounds || vb.inner, outer = vb.outer, area = free(bpmnjs);
    if (area.width <= 0 || area.height <= 0) return canvas.zoom('fit-viewport', 'auto');
    var scale = Math.min(1, area.width / inner.width, area.height / inner.height);
    canvas.viewbox({
      x: inner.x - (area.left + (area.width - inner.width * scale) / 2) / scale,
      y: inner.y - (area.top + (area.height - inner.height * scale) / 2) / scale,
      width: outer.width / scale, height: outer.height / scale
    });
    return scale;
  }

  // where a view starts on one axis: ``wanted`` kept between ``lo`` and ``hi``; ``lo`` when
  // ``hi`` is the smaller
  function clamp(wanted, lo, hi) {
    return Math.max(lo, Math.min(wanted, hi));
  }

  // the leftmost start event (the topmost of those): what a diagram with no step to show
  // opens on
  function start(bpmnjs) {
    return bpmnjs.get('elementRegistry').filter(function (e) {
      return e.type === 'bpmn:StartEvent';
    }).sort(function (a, b) { return a.x - b.x || a.y - b.y; })[0];
  }

  // the pool ``element`` is drawn in, if any
  function poolOf(element) {
    var e = element;
    while (e && e.type !== 'bpmn:Participant') e = e.parent;
    return e || null;
  }

  // the first view; ``focus`` (a shape, optional; else the start event) is what to show when
  // the whole diagram is too big to read; ``bounds`` (optional) what counts as the whole
  // diagram
  function first(bpmnjs, focus, bounds) {
    if (fit(bpmnjs, bounds) >= READABLE) return;
    var canvas = bpmnjs.get('canvas');
    var vb = canvas.viewbox(), inner = bounds || vb.inner, outer = vb.outer, area = free(bpmnjs);
    if (area.width <= 0 || area.height <= 0) return;
    var shown = focus || start(bpmnjs) || { x: inner.x, y: inner.y, width: 0, height: 0 };
    var pool = poolOf(shown) || inner;
    var lanes = area.height / pool.height; // the zoom that fits the pool's lanes
    var scale = lanes >= READABLE ? Math.min(1, lanes) : OPEN;
    // the zoom that shows the pool's left edge (its names) and the shape side by side; a
    // little less than ``scale`` is worth it, down to READABLE
    var beside = area.width / (shown.x + shown.width - pool.x);
    var named = beside >= READABLE;
    if (named) scale = Math.min(scale, beside);
    var w = outer.width / scale, h = outer.height / scale;
    // left: the pool's left edge at the free part's left; else the shape in the middle, the
    // diagram's right edge no further left than the canvas's
    var x = pool.x - area.left / scale;
    if (!named) {
      x = clamp(shown.x + shown.width / 2 - (area.left + area.width / 2) / scale, x,
                inner.x + inner.width + MARGIN / scale - w);
    }
    // top: the pool's lanes centred when they fit; else the shape in the middle, kept in its
    // pool
    var top = pool.y - area.top / scale, bottom = pool.y + pool.height + MARGIN / scale - h;
    var y = bottom <= top ? pool.y + pool.height / 2 - h / 2
                          : clamp(shown.y + shown.height / 2 - h / 2, top, bottom);
    canvas.viewbox({ x: x, y: y, width: w, height: h });
  }

  function controls(bpmnjs, root) {
    var canvas = bpmnjs.get('canvas');
    var zoomScroll = bpmnjs.get('zoomScroll', false);
    var editorActions = bpmnjs.get('editorActions', false);
    var keyboard = bpmnjs.get('keyboard', false);
    // a step in or out around the middle of what is in view (right of the palette): bpmn-js
    // steps around the canvas's middle, which slides the diagram under the palette
    function step(direction) {
      var area = free(bpmnjs);
      var middle = area.width > 0 && area.height > 0
        ? { x: area.left + area.width / 2, y: area.top + area.height / 2 } : undefined;
      if (zoomScroll) zoomScroll.stepZoom(direction, middle);
      else canvas.zoom(canvas.zoom() * (direction > 0 ? 1.2 : 1 / 1.2), middle);
    }
    var actions = {
      in: function () { step(1); },
      out: function () { step(-1); },
      fit: function () { fit(bpmnjs); }
    };
    // the modeler's own Ctrl + / Ctrl - step the same way
    if (editorActions && editorActions.isRegistered('stepZoom')) {
      editorActions.unregister('stepZoom');
      editorActions.register('stepZoom', function (options) { step(options.value); });
    }
    if (root) {
      root.querySelectorAll('[data-zoom]').forEach(function (button) {
        var action = actions[button.dataset.zoom];
        if (!action) return;
        button.hidden = false;
        button.addEventListener('click', action);
      });
    }
    if (!keyboard) return;
    keyboard.addListener(function (context) {
      var e = context.keyEvent;
      if (e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey && e.code === 'Digit1') {
        actions.fit();
        return true;
      }
      if (editorActions || !(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === '+' || e.key === '=') actions.in();
      else if (e.key === '-') actions.out();
      else if (e.key === '0') canvas.zoom(1);
      else return;
      return true;
    });
  }

  // A viewer on a touch screen: two fingers move the diagram and pinch it larger or smaller
  // around them (bpmn-js reads only the mouse and the wheel); one finger still scrolls the
  // page, which a diagram across a phone's screen would otherwise catch.
  function touch(bpmnjs) {
    var canvas = bpmnjs.get('canvas');
    var container = canvas.getContainer();
    var last = null;
    function two(e) {
      if (e.touches.length !== 2) return null;
      var r = container.getBoundingClientRect(), a = e.touches[0], b = e.touches[1];
      return { x: (a.clientX + b.clientX) / 2 - r.left, y: (a.clientY + b.clientY) / 2 - r.top,
               apart: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY) };
    }
    function again(e) { last = two(e); }
    container.addEventListener('touchstart', again, { passive: true });
    container.addEventListener('touchend', again, { passive: true });
    container.addEventListener('touchcancel', again, { passive: true });
    container.addEventListener('touchmove', function (e) {
      var now = two(e);
      if (!now || !last) return;
      e.preventDefault(); // the diagram's gesture, not the page's zoom
      canvas.scroll({ dx: now.x - last.x, dy: now.y - last.y });
      if (last.apart > 0 && now.apart > 0) {
        canvas.zoom(canvas.zoom() * now.apart / last.apart, { x: now.x, y: now.y });
      }
      last = now;
    }, { passive: false });
  }

  // where a canvas shows the diagram, exactly: the viewbox bpmn-js reports is rounded, and
  // linked panes that copied rounded values would drift apart move by move
  function view(bpmnjs) {
    var canvas = bpmnjs.get('canvas');
    var layer = canvas.getContainer().querySelector('.viewport');
    var transform = layer && layer.transform.baseVal.consolidate();
    if (!transform) {
      var vb = canvas.viewbox();
      return { x: vb.x, y: vb.y, scale: vb.scale };
    }
    var m = transform.matrix;
    return { x: -m.e / m.a, y: -m.f / m.a, scale: m.a };
  }

  // the box around what every pane draws, in diagram coordinates (the same in each pane)
  function together(panes) {
    var boxes = panes.map(function (pane) { return pane.get('canvas').viewbox().inner; });
    var left = Math.min.apply(null, boxes.map(function (b) { return b.x; }));
    var top = Math.min.apply(null, boxes.map(function (b) { return b.y; }));
    var right = Math.max.apply(null, boxes.map(function (b) { return b.x + b.width; }));
    var bottom = Math.max.apply(null, boxes.map(function (b) { return b.y + b.height; }));
    return { x: left, y: top, width: right - left, height: bottom - top };
  }

  // ``pane`` shows what ``like`` shows, where it shows it: the same corner and zoom
  function align(pane, like) {
    var now = view(like), canvas = pane.get('canvas'), outer = canvas.viewbox().outer;
    canvas.viewbox({ x: now.x, y: now.y, width: outer.width / now.scale,
                     height: outer.height / now.scale });
  }

  // ``panes`` move together while ``linked()``; each remembers its last view, so one unlinked
  // and moved alone keeps its offset when linked again. ``quiet(fn)`` moves panes one by one.
  function link(panes, linked) {
    var last = panes.map(view);
    var moving = false;
    function follow(i) {
      var before = last[i], after = view(panes[i]);
      last[i] = after;
      if (moving || !linked() || !before.scale) return;
      var factor = after.scale / before.scale;
      moving = true;
      try {
        panes.forEach(function (other, j) {
          if (j === i) return;
          var canvas = other.get('canvas'), outer = canvas.viewbox().outer;
          var now = view(other), scale = now.scale * factor;
          // the same move on screen: a point ``s`` px from the corner goes to factor * s + shift
          canvas.viewbox({
            x: now.x - (before.x - after.x) * after.scale / scale,
            y: now.y - (before.y - after.y) * after.scale / scale,
            width: outer.width / scale, height: outer.height / scale
          });
          last[j] = view(other);
        });
      } finally {
        moving = false;
      }
    }
    panes.forEach(function (pane, i) {
      pane.get('eventBus').on('canvas.viewbox.changed', function () { follow(i); });
    });
    return {
      quiet: function (fn) {
        moving = true;
        try {
          fn();
        } finally {
          moving = false;
          last = panes.map(view);
        }
      }
    };
  }

  return { first: first, fit: fit, controls: controls, touch: touch, link: link,
           together: together, align: align, READABLE: READABLE };
})();
