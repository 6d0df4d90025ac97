// Small progressive enhancements; every page works without JavaScript.
document.addEventListener('change', function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
});

// A form whose effect cannot be undone (a document number issued, a case ended) asks first.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute('data-confirm');
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
