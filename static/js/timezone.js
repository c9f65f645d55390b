// Tells the server the browser's time zone (a cookie the TimeZoneMiddleware reads), so times are
// shown in the reader's zone. A GET page with times, drawn in the default zone before the
// server knew, is drawn again once.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) {
    return;
  }
  var current = document.cookie.split("; ").filter(function (part) {
    return part.indexOf("recruit_tz=") === 0;
  })[0];
  if (current === "recruit_tz=" + zone) {
    return;
  }
  document.cookie = "recruit_tz=" + zone + "; path=/; max-age=31536000; samesite=lax" +
    (location.protocol === "https:" ? "; secure" : "");
  var root = document.documentElement;
  // Only pages that show times are redrawn (a <time> or a zone label); the rest need not flicker.
  var redraw = root.dataset.timeZoneSource === "default" && root.dataset.timeZone !== zone &&
    root.dataset.reloadable === "1" && document.querySelector("time, .time-zone, .time-zone-note") !== null;
  if (redraw && !sessionStorage.getItem("recruit-tz-redrawn")) {
    sessionStorage.setItem("recruit-tz-redrawn", "1");
    location.reload();
  }
})();
