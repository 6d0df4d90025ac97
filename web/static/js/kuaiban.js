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
