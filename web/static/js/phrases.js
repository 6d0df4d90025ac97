// 常用意见 beside a comment field (web/templates/macros/form.html phrase_picker): shows the
// select and hides the list kept for pages without scripts; a phrase chosen is inserted at the
// field's cursor (replacing what is selected there), the cursor left after it. The select has
// no name, so nothing of it is submitted: the field holds the text.
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

  document.querySelectorAll('.phrase-picker').forEach(function (picker) {
    var box = document.getElementById(picker.getAttribute('data-for'));
    var select = picker.querySelector('.phrase-select');
    var list = picker.querySelector('.phrase-list');
    if (!box || !select) return;
    select.hidden = false;
    if (list) list.hidden = true;
    select.addEventListener('change', function () {
      if (select.value) insert(box, select.value);
      select.value = '';
    });
  });
})();
