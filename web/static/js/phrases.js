// 常用意见 beside a comment field (web/templates/macros/form.html phrase_picker): shows the
// select and hides the list kept for pages without scripts; a phrase chosen is inserted at the
// field's cursor (replacing what is selected there), the cursor left after it. The select has
// no name, so nothing of it is submitted: the field holds the text. Opened (focused or
// pressed), or the page shown again, it reads the user's list afresh (data-url), so a phrase
// added or removed in another tab is there without a reload; offline, it keeps what it had.
// A field with its own phrases (no data-url) keeps them.
(function () {
  'use strict';

  function insert(box, text) {
    var start = box.selectionStart, end = box.selectionEnd;
    if (typeof start !== 'number') { start = end = box.value.length; }
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    var after = start + text.length;
    box.focus();
    box.setSelectionRange(after, after);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // The phrases as options after the first one (插入常用意见…), unless they are the same.
  function fill(select, phrases) {
    var now = Array.prototype.slice.call(select.options, 1).map(function (o) { return o.value; });
    if (now.length === phrases.length && now.every(function (p, i) { return p === phrases[i]; })) return;
    while (select.options.length > 1) select.remove(1);
    phrases.forEach(function (p) {
      var option = document.createElement('option');
      option.value = p;
      option.textContent = p;
      select.appendChild(option);
    });
  }

  var pickers = [];
  var asking = null;

  function refresh() {
    if (asking || !pickers.length) return;
    var mine = pickers.filter(function (p) { return p.hasAttribute('data-url'); });
    if (!mine.length) return;
    var url = mine[0].getAttribute('data-url');
    asking = fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) {
        var kind = r.headers.get('Content-Type') || '';
        if (!r.ok || kind.indexOf('application/json') < 0) throw new Error('no phrases');
        return r.json();
      })
      .then(function (body) {
        if (!body || !Array.isArray(body.phrases)) return;
        mine.forEach(function (picker) {
          var select = picker.querySelector('.phrase-select');
          if (select) fill(select, body.phrases.filter(function (p) { return typeof p === 'string'; }));
        });
      })
      .catch(function () { /* signed out or offline: the list shown stays */ })
      .then(function () { asking = null; });
  }

  document.querySelectorAll('.phrase-picker').forEach(function (picker) {
    var box = document.getElementById(picker.getAttribute('data-for'));
    var select = picker.querySelector('.phrase-select');
    var list = picker.querySelector('.phrase-list');
    if (!box || !select) return;
    pickers.push(picker);
    select.hidden = false;
    if (list) list.hidden = true;
    select.addEventListener('focus', refresh);
    select.addEventListener('pointerdown', refresh);
    select.addEventListener('change', function () {
      if (select.value) insert(box, select.value);
      select.value = '';
    });
  });

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') refresh();
  });
})();
