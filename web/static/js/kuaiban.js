// Small progressive enhancements; every page works without JavaScript.
document.addEventListener('change', function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute('data-autosubmit') && el.form) el.form.submit();
});
