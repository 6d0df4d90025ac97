// Catalogue choices (a form field with "x-catalogue", e.g. the 中介服务事项清单): picking a row
// fills in the form's read-only details of it (hidden while empty) and, where a unit box still
// holds the previous row's unit (the proposal nobody changed), puts the new row's unit there.
// The rows come from the page (data-catalogue). Without JavaScript the procedure does the
// same with the unit when the form is submitted (docs/designer-guide.md).
(function () {
  function rowsOf(select) {
    try {
      return JSON.parse(select.getAttribute('data-catalogue')) || {};
    } catch (e) {
      return {};
    }
  }

  function follow(select) {
    var rows = rowsOf(select);
    var previous = select.value;
    var names = {};
    Object.keys(rows).forEach(function (key) {
      Object.keys(rows[key].details || {}).forEach(function (name) { names[name] = true; });
    });
    select.addEventListener('change', function () {
      var form = select.form;
      if (!form) return;
      var row = rows[select.value] || { unit: '', details: {} };
      Array.prototype.forEach.call(form.elements, function (input) {
        if (!names[input.name] || !input.readOnly) return;
        var value = (row.details || {})[input.name];
        input.value = value === undefined || value === null ? '' : String(value);
        var box = input.closest('.field');
        if (box) box.hidden = input.value === '';
      });
      var before = (rows[previous] || {}).unit || '';
      if (before && row.unit) {
        Array.prototype.forEach.call(form.querySelectorAll('input.unit-picker'), function (input) {
          if (!input.readOnly && !input.disabled && input.value === before) input.value = row.unit;
        });
      }
      previous = select.value;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('select[data-catalogue]'), follow);
})();
