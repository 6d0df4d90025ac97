// Fields that follow a choice (a form's if/then/else, engine/definitions/form_branches.py):
// a field is hidden while none of the ways its data-shown-when lists holds, as the clerk
// chooses, and starred 必填 while a way that requires it holds. A hidden choice counts as
// empty, so one choice may follow another. Without JavaScript every field shows, and the
// server leaves out what a branch not taken holds.
// The modeler's form preview calls window.kuaibanBranches on each preview it shows.
(function () {
  function valueOf(form, name) {
    var value = '';
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name !== name) return;
      if (input.type === 'radio') {
        if (input.checked) value = input.value;
      } else if (input.type === 'checkbox') {
        value = input.checked ? 'true' : 'false';
      } else {
        value = input.value;
      }
    });
    return value;
  }

  function holds(way, form, hidden) {
    var value = hidden[way.field] ? '' : valueOf(form, way.field);
    if (value === '') return way.empty;
    return (way.in.indexOf(value) >= 0) !== way.not;
  }

  function follow(form) {
    var boxes = [];
    Array.prototype.forEach.call(form.querySelectorAll('[data-shown-when]'), function (box) {
      try {
        boxes.push({ box: box, name: box.getAttribute('data-field'),
                     ways: JSON.parse(box.getAttribute('data-shown-when')) });
      } catch (e) { /* a field whose ways cannot be read stays shown */ }
    });
    if (!boxes.length) return;
    function settle() {
      var hidden = {};
      for (var round = 0; round <= boxes.length; round++) {  // until no choice changes
        var next = {};
        var changed = false;
        boxes.forEach(function (b) {
          var shown = b.ways.some(function (way) { return holds(way, form, hidden); });
          if (!shown) next[b.name] = true;
          if (!shown !== !!hidden[b.name]) changed = true;
        });
        hidden = next;
        if (!changed) break;
      }
      boxes.forEach(function (b) {
        b.box.classList.toggle('not-chosen', !!hidden[b.name]);
        var star = b.box.querySelector('.req.when-shown');  // 必填 where its branch asks it
        if (star) {
          star.hidden = !b.ways.some(function (way) {
            return way.required && holds(way, form, hidden);
          });
        }
      });
    }
    form.addEventListener('change', settle);
    settle();
  }

  window.kuaibanBranches = function (root) {
    Array.prototype.forEach.call(root.querySelectorAll('form'), follow);
  };
  window.kuaibanBranches(document);
})();
