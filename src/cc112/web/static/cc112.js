/* Command Center 112 — shared page behaviour: live events, timers, clock, idle notice. */
(function () {
  "use strict";
  var body = document.body;
  // Server time minus browser time: timers follow the server's clock, not a wrong PC clock.
  var skew = body.dataset.serverNow ? (+body.dataset.serverNow - Date.now()) : 0;
  function serverNow() { return Date.now() + skew; }
  var zone = body.dataset.zone || "Asia/Makassar";
  var lang = body.dataset.lang || "id";

  if (window.htmx) {
    // Show 4xx answers (clear messages) instead of dropping them.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[4]..", swap: true, error: false },
      { code: "[5]..", swap: true, error: true }
    ];
    document.addEventListener("htmx:configRequest", function (e) {
      if (e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-background]")) {
        e.detail.headers["X-CC112-Background"] = "1";
      }
    });
  }

  // Clock in the jurisdiction's zone.
  var clockEl = document.getElementById("clock");
  var fmt = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB",
    { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: zone });
  function tickClock() {
    if (clockEl) clockEl.textContent = fmt.format(new Date(serverNow())).replace(/\./g, ":") + " " + (clockEl.dataset.zoneLabel || "");
  }

  // Elapsed timers and countdowns.
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function duration(s) {
    var neg = s < 0; s = Math.abs(Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (neg ? "−" : "") + (h ? h + ":" + two(m) : m) + ":" + two(sec);
  }
  function tickTimers() {
    var now = serverNow();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      if (!el.dataset.since) return;
      var start = Date.parse(el.dataset.since);
      var stop = el.dataset.stop ? Date.parse(el.dataset.stop) : now;
      var secs = (stop - start) / 1000;
      el.textContent = duration(secs);
      var target = parseFloat(el.dataset.targetSeconds || "0");
      if (target > 0) {
        el.classList.toggle("amber", secs >= target * 0.75 && secs < target);
        el.classList.toggle("red", secs >= target);
      }
    });
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (!el.dataset.due) return;
      var left = (Date.parse(el.dataset.due) - now) / 1000;
      el.textContent = duration(left);
      el.classList.toggle("red", left < 0);
      el.classList.toggle("amber", left >= 0 && left < 60);
    });
  }
  setInterval(function () { tickClock(); tickTimers(); }, 1000);
  tickClock(); tickTimers();
  document.addEventListener("htmx:afterSwap", tickTimers);

  // Idle sessions end after 30 minutes on the server; warn at 25, leave at 30.
  var idleLimit = 30 * 60 * 1000, warnAt = 25 * 60 * 1000, last = Date.now();
  ["keydown", "mousedown", "mousemove", "touchstart", "scroll"].forEach(function (t) {
    document.addEventListener(t, function () { last = Date.now(); var w = document.getElementById("idle-warning"); if (w) w.hidden = true; }, { passive: true });
  });
  setInterval(function () {
    if (!body.dataset.user) return;
    var idle = Date.now() - last, w = document.getElementById("idle-warning");
    if (w && idle > warnAt) w.hidden = false;
    if (idle > idleLimit) window.location = "/login?reason=" + encodeURIComponent(lang === "id" ? "Sesi berakhir setelah 30 menit tanpa aktivitas." : "Session ended after 30 idle minutes.");
  }, 15000);

  // Live events: one stream per page; panels that say data-refresh-on re-fetch themselves.
  var pending = new Map();
  function refresh(el) {
    if (pending.has(el)) return;
    pending.set(el, setTimeout(function () { pending.delete(el); htmx.trigger(el, "refresh"); }, 250));
  }
  function handle(kind, data) {
    document.querySelectorAll("[data-refresh-on]").forEach(function (el) {
      var prefixes = el.dataset.refreshOn.split(",");
      if (prefixes.some(function (p) { return kind.indexOf(p.trim()) === 0; })) refresh(el);
    });
    document.dispatchEvent(new CustomEvent("cc112:event", { detail: { kind: kind, data: data } }));
  }
  window.CC112 = { handle: handle, duration: duration, serverNow: serverNow };
  if (body.dataset.user && document.querySelector("[data-live]") && window.EventSource) {
    var status = document.getElementById("live-status");
    // Start from the last event the page was rendered with, so nothing in between is missed.
    var after = body.dataset.lastEvent;
    var source = new EventSource("/api/v1/events/stream" + (after ? "?after=" + encodeURIComponent(after) : ""));
    var kinds = ["contact.", "incident.", "assignment.", "caller.", "unit."];
    source.onopen = function () { if (status) { status.textContent = "● LIVE"; status.className = "live on"; } };
    source.onerror = function () { if (status) { status.textContent = "○ " + (lang === "id" ? "menyambung ulang…" : "reconnecting…"); status.className = "live off"; } };
    ["contact.received", "contact.classified", "caller.blocked", "incident.created", "incident.verified",
     "incident.closed", "incident.cancelled", "incident.merged", "incident.duplicate_linked", "incident.note",
     "assignment.requested", "assignment.acknowledged", "assignment.declined", "assignment.en_route",
     "assignment.on_scene", "assignment.completed", "assignment.cancelled", "assignment.escalated",
     "unit.position"].forEach(function (k) {
      source.addEventListener(k, function (e) { var d = {}; try { d = JSON.parse(e.data); } catch (x) {} handle(k, d); });
    });
    window.addEventListener("beforeunload", function () { source.close(); });
    void kinds;
  }
})();
