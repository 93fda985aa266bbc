// Signature pad: a <canvas> inside [data-signature-pad] that a finger, a stylus or a mouse draws on
// (pointer events). Each stroke is exported as a PNG data: URL into the form's hidden field
// [data-signature-value]; [data-signature-clear] wipes it. After a refused submission the page
// brings the drawing back in that field and the pad shows it again. The canvas takes no keyboard
// focus: the page says, beside it, that drawing needs a pointer. Written for this site instead of a
// library: about a hundred lines, no dependency, allowed by the strict Content-Security-Policy.
(function () {
  "use strict";

  var INK = "#0f172a";

  function setup(pad) {
    if (pad.hasAttribute("data-ready")) { return; }
    pad.setAttribute("data-ready", "");
    var form = pad.closest("form");
    var canvas = pad.querySelector("canvas");
    var field = form.querySelector("[data-signature-value]");
    var clear = form.querySelector("[data-signature-clear]");
    var status = form.querySelector("[data-signature-status]");
    var ctx = canvas.getContext("2d");
    var last = null, pointer = null, width = 0;

    function say(key) {
      if (status) { status.textContent = pad.getAttribute(key) || ""; }
    }

    function paper() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
    }

    // Show a saved drawing (a data: URL) scaled to the canvas.
    function show(url) {
      var img = new Image();
      img.onload = function () {
        paper();
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        ctx.restore();
      };
      img.src = url;
    }

    // Size the canvas to its box at the screen's density (at most 2, to keep the image small);
    // resizing clears a canvas, so the drawing (always in the field after each stroke) is put back.
    // A phone's toolbar that hides while scrolling changes the height of the window, not the width
    // of the box: nothing is done then.
    function size() {
      if (!canvas.isConnected) { return; }
      var box = canvas.getBoundingClientRect();
      if (box.width === 0 || Math.round(box.width) === width) { return; }
      width = Math.round(box.width);
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = INK;
      ctx.fillStyle = INK;
      paper();
      if (field.value) { show(field.value); }
    }

    function at(ev) {
      var box = canvas.getBoundingClientRect();
      return { x: ev.clientX - box.left, y: ev.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (ev) {
      if (pointer !== null || (ev.pointerType === "mouse" && ev.button !== 0)) { return; }
      ev.preventDefault();
      pointer = ev.pointerId;
      canvas.setPointerCapture(ev.pointerId);
      last = at(ev);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (ev.pointerId !== pointer) { return; }
      ev.preventDefault();
      var points = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
      if (points.length === 0) { points = [ev]; }
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      points.forEach(function (p) {
        last = at(p);
        ctx.lineTo(last.x, last.y);
      });
      ctx.stroke();
    });
    function end(ev) {
      if (ev.pointerId !== pointer) { return; }
      pointer = null;
      field.value = canvas.toDataURL("image/png");
      if (clear) { clear.disabled = false; }
      say("data-said-drawn");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    if (clear) {
      clear.hidden = false;
      clear.disabled = !field.value;
      clear.addEventListener("click", function () {
        field.value = "";
        paper();
        clear.disabled = true;
        say("data-said-cleared");
      });
    }
    window.addEventListener("resize", size);
    size();
  }

  function setupAll() {
    document.querySelectorAll("[data-signature-pad]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", setupAll);
  document.addEventListener("htmx:afterSettle", setupAll);
})();
