/* Agency console: a sound and a browser notification when a new assignment arrives. */
(function () {
  "use strict";
  var agency = document.body.dataset.agency;
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (t) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = 880; o.connect(g); g.connect(audio.destination);
        g.gain.setValueAtTime(0.25, audio.currentTime + t); o.start(audio.currentTime + t); o.stop(audio.currentTime + t + 0.25);
      });
    } catch (e) { /* no audio device */ }
  }
  var btn = document.getElementById("enable-alerts");
  if (btn) btn.addEventListener("click", function () {
    beep();
    if (window.Notification && Notification.permission === "default") Notification.requestPermission();
    btn.disabled = true;
  });
  document.addEventListener("cc112:event", function (e) {
    var d = e.detail.data || {};
    if (e.detail.kind !== "assignment.requested" && e.detail.kind !== "assignment.escalated") return;
    if (agency && (d.agency_ids || []).indexOf(+agency) < 0) return;
    if (e.detail.kind === "assignment.requested" && d.payload && d.payload.agency) {
      beep();
      if (window.Notification && Notification.permission === "granted") {
        new Notification("112 · " + d.payload.ticket, { body: "P" + d.payload.priority + " — " + d.payload.agency, tag: d.payload.ticket });
      }
    }
  });
})();
