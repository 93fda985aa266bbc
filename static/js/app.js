// Small behaviours that the pages work without: confirmation dialogs, focus on the first invalid
// field after a 422, and closing open menus on Escape.
(function () {
  "use strict";

  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-confirm]");
    if (btn && !window.confirm(btn.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  function focusFirstInvalid(root) {
    var el = (root || document).querySelector("[aria-invalid='true']");
    if (el) { el.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusFirstInvalid(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { focusFirstInvalid(ev.detail.target); });

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") { return; }
    document.querySelectorAll("details[open]").forEach(function (d) { d.removeAttribute("open"); });
  });
})();
