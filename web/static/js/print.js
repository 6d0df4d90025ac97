// The print view's button: the page's policy forbids inline handlers.
document.getElementById("print-button")?.addEventListener("click", () => window.print());
