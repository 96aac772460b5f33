/* Responder page: sends the phone's position while an assignment with a unit is active. */
(function () {
  "use strict";
  var status = document.getElementById("gps-status");
  var lang = document.body.dataset.lang;
  var lastSent = 0, lastPos = null, lastPosAt = 0, sentFor = null, sentText = "";
  function current() { return document.querySelector("[data-assignment][data-unit]:not([data-unit=''])"); }
  function send(pos) {
    lastPos = pos; lastPosAt = Date.now();
    if (status && sentText) status.textContent = sentText;
    var a = current();
    if (!a) return;
    // A new assignment gets the position at once; after that at most every 30 s.
    if (sentFor === a.dataset.assignment && Date.now() - lastSent < 30000) return;
    lastSent = Date.now(); sentFor = a.dataset.assignment;
    var body = new URLSearchParams({ assignment: a.dataset.assignment, lat: pos.coords.latitude, lon: pos.coords.longitude });
    fetch("/responder/position", { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"] } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        sentText = (lang === "id" ? "Lokasi terkirim " : "Position sent ") + new Date().toLocaleTimeString();
        if (status) status.textContent = sentText;
      })
      .catch(function () { if (status) status.textContent = lang === "id" ? "Gagal mengirim lokasi; dicoba lagi" : "Could not send position; will retry"; });
  }
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target.id === "current" && lastPos) send(lastPos);
  });
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(send, function () {
      // A late timeout after a good fix is not worth alarming the crew.
      if (status && Date.now() - lastPosAt > 60000) status.textContent = lang === "id" ? "Lokasi tidak tersedia" : "Location unavailable";
    }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 });
  }
})();
