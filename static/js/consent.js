/* Consent signing page: continue only after the whole text was shown, and a signature pad.
   Loaded as a file (the CSP forbids inline scripts). Without JavaScript the form still works. */
(function () {
  "use strict";
  var form = document.querySelector("[data-consent-form]");
  if (!form) { return; }

  // 1. The submit button waits until the end of the text has been on screen. It stays focusable
  //    (aria-disabled rather than disabled) so keyboard and screen-reader users find it and hear why
  //    it waits; the text counts as read once its end is in view or above it, however the reader got
  //    there (scrolling, Space/Page Down, or Tab jumping past it into the form).
  var submit = form.querySelector("[data-requires-reading]");
  var end = document.getElementById("consent-end");
  var hint = document.getElementById("consent-read-hint");
  var unread = false;
  function reached() {
    return end.getBoundingClientRect().top <= (window.innerHeight || document.documentElement.clientHeight);
  }
  function unlock() {
    if (!unread || !reached()) { return; }
    unread = false;
    submit.removeAttribute("aria-disabled");
    submit.removeAttribute("aria-describedby");
    if (hint) { hint.hidden = true; }
    window.removeEventListener("scroll", unlock);
    window.removeEventListener("resize", unlock);
    document.removeEventListener("focusin", unlock);
  }
  if (submit && end) {
    unread = true;
    submit.setAttribute("aria-disabled", "true");
    if (hint) {
      hint.hidden = false;
      submit.setAttribute("aria-describedby", hint.id);
    }
    window.addEventListener("scroll", unlock, { passive: true });
    window.addEventListener("resize", unlock);
    document.addEventListener("focusin", unlock);
    form.addEventListener("submit", function (event) {
      unlock();
      if (unread) { event.preventDefault(); }  // e.g. Enter in a field; the hint says what to do
    });
    unlock();
  }

  // 2. The signature pad: pointer events cover mouse, pen and touch.
  var canvas = form.querySelector("canvas.signature-pad");
  var field = form.querySelector("input[name=drawn_signature]");
  var clear = form.querySelector("[data-signature-clear]");
  if (!canvas || !field || !canvas.getContext) { return; }
  var context = canvas.getContext("2d");
  var drawing = false;
  var inked = false;

  function size() {
    var ratio = window.devicePixelRatio || 1;
    var rect = canvas.getBoundingClientRect();
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  function save() {
    field.value = inked ? canvas.toDataURL("image/png") : "";
  }

  function restore() {
    if (!field.value) { return; }
    var image = new Image();
    image.onload = function () {
      var rect = canvas.getBoundingClientRect();
      var scale = Math.min(rect.width / image.width, rect.height / image.height, 1);
      context.drawImage(image, 0, 0, image.width * scale, image.height * scale);
      inked = true;
    };
    image.src = field.value;
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    context.lineTo(p.x + 0.1, p.y + 0.1);
    context.stroke();
    inked = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
  });
  function finish() {
    if (!drawing) { return; }
    drawing = false;
    save();
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("pointerleave", finish);

  if (clear) {
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      save();
    });
  }
  size();
  restore();
})();
