/* Responder page: sends the phone's position while an assignment with a unit is active. */
(function () {
  "use strict";
  var status = document.getElementById("gps-status");
  var lang = document.body.dataset.lang;
  var lastSent = 0;
  function current() { return document.querySelector("[data-assignment][data-unit]:not([data-unit=''])"); }
  function send(pos) {
    var a = current();
    if (!a || Date.now() - lastSent < 30000) return;
    lastSent = Date.now();
    var body = new URLSearchParams({ assignment: a.dataset.assignment, lat: pos.coords.latitude, lon: pos.coords.longitude });
    fetch("/responder/position", { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"] } })
      .then(function (r) { if (status) status.textContent = (lang === "id" ? "Lokasi terkirim " : "Position sent ") + new Date().toLocaleTimeString(); })
      .catch(function () { if (status) status.textContent = lang === "id" ? "Gagal mengirim lokasi; dicoba lagi" : "Could not send position; will retry"; });
  }
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(send, function () {
      if (status) status.textContent = lang === "id" ? "Lokasi tidak tersedia" : "Location unavailable";
    }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 });
  }
})();
