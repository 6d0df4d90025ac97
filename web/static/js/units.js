// The unit directory on a phone: units two or more levels down are hidden under their parent,
// whose button (下属单位（N）) opens them; closing hides everything below. On a wide screen
// (or after a search) the whole tree shows, indented.
(function () {
  'use strict';
  var table = document.querySelector('#units[data-collapsible]');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  function below(id) {
    return rows.filter(function (r) { return r.dataset.parent === id; });
  }
  function close(id) {
    below(id).forEach(function (r) {
      r.classList.remove('open');
      var button = r.querySelector('.subtree');
      if (button) button.setAttribute('aria-expanded', 'false');
      close(r.dataset.unit);
    });
  }
  rows.forEach(function (row) {
    if (Number(row.dataset.depth) >= 2) row.classList.add('nested');
    var button = row.querySelector('.subtree');
    if (!button) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var opening = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(opening));
      if (opening) below(row.dataset.unit).forEach(function (r) { r.classList.add('open'); });
      else close(row.dataset.unit);
    });
  });
  table.classList.add('collapsed-tree');
})();
