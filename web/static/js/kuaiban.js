// Small progressive enhancements; every page works without JavaScript.
document.addEventListener('change', function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
});

// A form whose effect cannot be undone (a document number issued, a case ended) asks first.
document.addEventListener('submit', function (event) {
  var form = event.target;
  // the chosen option may ask its own question (a document the case has already)
  var chosen = form && form.querySelector && form.querySelector('option[data-confirm]:checked');
  var question = chosen ? chosen.getAttribute('data-confirm')
    : form && form.getAttribute && form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});

// A task or start form someone typed into asks before the page is left other than by its own
// buttons (提交, 暂存, 添加一行): the browser's own question, whose words it chooses.
(function () {
  var typed = false;
  function mark(event) {
    if (event.target && event.target.closest && event.target.closest('form.schema-form')) typed = true;
  }
  document.addEventListener('input', mark);
  document.addEventListener('change', mark);
  document.addEventListener('submit', function (event) {
    if (!event.defaultPrevented && event.target.classList.contains('schema-form')) typed = false;
  });
  window.addEventListener('beforeunload', function (event) {
    if (!typed) return;
    event.preventDefault();
    event.returnValue = '';
  });
})();

// A table wider than its panel (web/templates/macros/case.html data_row) says so: a shadow on
// each edge with more beyond, and the hint 左右滑动查看 under it while any is hidden. Checked
// again whenever the table's box changes size (a window turned, a <details> opened).
(function () {
  function mark(frame) {
    var box = frame.querySelector('.grid-scroll');
    var hint = frame.parentNode.querySelector('.scroll-hint');
    if (!box) return;
    var hidden = box.scrollWidth - box.clientWidth;
    frame.classList.toggle('more-left', hidden > 1 && box.scrollLeft > 1);
    frame.classList.toggle('more-right', hidden > 1 && box.scrollLeft < hidden - 1);
    if (hint) hint.hidden = hidden <= 1;
  }
  document.querySelectorAll('.grid-frame').forEach(function (frame) {
    var box = frame.querySelector('.grid-scroll');
    if (!box) return;
    frame.classList.add('watched');
    box.addEventListener('scroll', function () { mark(frame); }, { passive: true });
    if (window.ResizeObserver) new ResizeObserver(function () { mark(frame); }).observe(box);
    mark(frame);
  });
})();

// An element with attributes (text, className, on<event> handlers) and children: the
// modeler's scripts build their tables with it.
window.kuaibanEl = function (tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v === undefined || v === null || v === false) return;
    if (k === 'text') node.textContent = v;
    else if (k === 'className') node.className = v;
    else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  });
  (children || []).forEach(function (c) {
    if (c === null || c === undefined) return;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return node;
};
