// Small behaviours that the pages work without: confirmation dialogs, focus on the first invalid
// field after a 422, menus that close on Escape or a click elsewhere, error pages shown for boosted
// links and forms, and keyboard access to tables that scroll sideways.
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

  // A table in a scrolling wrapper can be wider than a phone: the wrapper takes the keyboard focus
  // (arrow keys scroll it) and is named after the page's heading for screen readers.
  function scrollableTables(root) {
    var heading = document.querySelector("main h1");
    (root || document).querySelectorAll(".overflow-x-auto").forEach(function (el) {
      if (!el.querySelector("table") || el.hasAttribute("tabindex")) { return; }
      el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("role")) { el.setAttribute("role", "region"); }
      if (heading && !el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
        el.setAttribute("aria-label", heading.textContent.trim());
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    scrollableTables(document);
    focusFirstInvalid(document);
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    scrollableTables(document);
    focusFirstInvalid(ev.detail.target);
  });

  // A boosted link or form that gets an error answer (401 wrong password, 403, 404, 500…) shows
  // the page the server sent, as the browser would without htmx: by default htmx keeps the old
  // page, and the click seems to do nothing.
  //
  // A boosted page also brings its language: htmx swaps the body only, so <html lang> (what screen
  // readers pronounce with) is copied from the new page, for instance after a login that switches
  // to the user's language.
  var htmlLang = /<html[^>]*\slang="([^"]*)"/i;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var d = ev.detail;
    if (!d.boosted) { return; }
    if (d.xhr && d.xhr.status >= 400 && !d.shouldSwap) {
      d.shouldSwap = true;
      d.isError = false;
    }
    var m = d.shouldSwap && typeof d.serverResponse === "string" && htmlLang.exec(d.serverResponse);
    if (m) { document.documentElement.lang = m[1]; }
  });

  // Escape closes open menus, and gives the focus back to the menu it was in.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") { return; }
    var open = document.activeElement && document.activeElement.closest("details[open]");
    document.querySelectorAll("details[open]").forEach(function (d) { d.removeAttribute("open"); });
    if (open) { open.querySelector("summary").focus(); }
  });

  // A click outside an open header menu closes it.
  document.addEventListener("click", function (ev) {
    document.querySelectorAll("header details[open]").forEach(function (d) {
      if (!d.contains(ev.target)) { d.removeAttribute("open"); }
    });
  });
})();

// Preventive maintenance (app/scheduling): the plan form's recurrence picker shows the fields of the
// frequency chosen, and a visit dragged onto another day of the schedule's week or month view opens
// the move form (date, time, technician, reason) that posts to the reschedule route. Without
// JavaScript every picker field shows, and each visit has its "Replanifier" link.
(function () {
  "use strict";

  function recurrencePicker(root) {
    (root || document).querySelectorAll("[data-rec-freq]").forEach(function (sel) {
      var form = sel.form;
      function update() {
        form.querySelectorAll("[data-rec]").forEach(function (el) {
          var on = el.getAttribute("data-rec").split(" ").indexOf(sel.value) >= 0;
          el.hidden = !on;
          if (on && el.tagName === "DETAILS") { el.open = true; }
        });
      }
      if (!sel.dataset.recBound) {
        sel.dataset.recBound = "1";
        sel.addEventListener("change", update);
      }
      update();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { recurrencePicker(document); });
  document.addEventListener("htmx:afterSwap", function () { recurrencePicker(document); });

  var dragged = null;
  function dayOf(el) { return el && el.closest ? el.closest("[data-day]") : null; }

  document.addEventListener("dragstart", function (ev) {
    var item = ev.target.closest ? ev.target.closest("[data-reschedule]") : null;
    if (!item) { return; }
    dragged = item;
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", item.getAttribute("data-title") || "");
  });
  document.addEventListener("dragover", function (ev) {
    var day = dragged && dayOf(ev.target);
    if (!day) { return; }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    day.classList.add("ring-2", "ring-blue-600");
  });
  document.addEventListener("dragleave", function (ev) {
    var day = dayOf(ev.target);
    if (day && !day.contains(ev.relatedTarget)) { day.classList.remove("ring-2", "ring-blue-600"); }
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll("[data-day].ring-2").forEach(function (d) { d.classList.remove("ring-2", "ring-blue-600"); });
  });
  document.addEventListener("drop", function (ev) {
    var day = dragged && dayOf(ev.target);
    if (!day) { return; }
    ev.preventDefault();
    day.classList.remove("ring-2", "ring-blue-600");
    var item = dragged;
    dragged = null;
    if (dayOf(item) === day) { return; }
    openMove(item, day);
  });

  // openMove fills the move form for the visit item dropped on the day cell and opens it.
  function openMove(item, day) {
    var dlg = document.getElementById("move-dialog");
    if (!dlg || typeof dlg.showModal !== "function") {
      window.location.href = item.getAttribute("data-reschedule");
      return;
    }
    var f = dlg.querySelector("form");
    f.setAttribute("action", item.getAttribute("data-reschedule"));
    f.elements.date.value = day.getAttribute("data-day");
    f.elements.time.value = item.getAttribute("data-time");
    f.elements.version.value = item.getAttribute("data-version");
    if (item.getAttribute("data-technician")) { f.elements.technician_id.value = item.getAttribute("data-technician"); }
    f.elements.reason.value = "";
    dlg.querySelector("[data-move-what]").textContent = (item.getAttribute("data-title") || "") + " → " + (day.getAttribute("data-day-label") || "");
    dlg.showModal();
    f.elements.reason.focus();
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-move-cancel]") : null;
    if (btn) { btn.closest("dialog").close(); }
  });
})();
