/* Call-taker console: keyboard-first intake, timers, caller and routing look-ups. */
(function () {
  "use strict";
  var form = document.getElementById("intake");
  if (!form) return;
  var lang = document.body.dataset.lang;
  var arrived = document.getElementById("t-arrived");
  var processing = document.getElementById("t-processing");
  var receivedAt = document.getElementById("received_at");
  var classes = ["emergency", "non_emergency", "information", "prank", "ghost", "abandoned"];

  function startCall(whenIso) {
    if (receivedAt.value) return;
    var iso = whenIso || new Date(window.CC112 ? CC112.serverNow() : Date.now()).toISOString();
    receivedAt.value = iso;
    arrived.dataset.since = iso;
    processing.dataset.since = iso;
  }
  function resetForm() {
    form.reset();
    ["received_at", "contact_id", "lat", "lon"].forEach(function (id) { document.getElementById(id).value = ""; });
    arrived.dataset.since = ""; arrived.textContent = "0:00";
    processing.dataset.since = ""; processing.textContent = "0:00"; processing.className = "t";
    document.getElementById("caller").innerHTML = "";
    document.getElementById("position-note").textContent = "";
    // The last call's agencies must not stay ticked for the next one: fetch the empty routing
    // (an event that does not bubble, so the form does not take it for the start of a call).
    document.getElementById("type").dispatchEvent(new Event("input"));
    toggleIncidentFields();
    document.getElementById("phone").focus();
  }
  function toggleIncidentFields() {
    var checked = form.querySelector("input[name=classification]:checked");
    var emergency = !checked || checked.value === "emergency";
    document.getElementById("incident-fields").hidden = !emergency;
  }

  form.addEventListener("input", function (e) { if (e.target.id === "phone" || e.target.id === "type") startCall(); });
  form.addEventListener("change", function (e) {
    if (e.target.name === "classification") { startCall(); toggleIncidentFields(); }
  });
  // Alt+1…6 picks the classification from anywhere; Ctrl+Enter submits.
  document.addEventListener("keydown", function (e) {
    if (e.altKey && !e.ctrlKey && e.key >= "1" && e.key <= "6") {
      var radio = form.querySelector("input[name=classification][value=" + classes[+e.key - 1] + "]");
      radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true }));
      startCall(); e.preventDefault();
    } else if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault(); htmx.trigger(form, "submit");
    }
  });
  // The type's default priority is shown once routing arrives.
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target.id === "routing") {
      var d = document.getElementById("default-priority");
      var sel = document.getElementById("priority");
      if (d && !sel.dataset.touched) sel.value = d.dataset.priority;
    }
    if (e.detail.target.id === "intake-result" && document.getElementById("new-ticket")) {
      processing.dataset.stop = new Date().toISOString();
    }
  });
  document.getElementById("priority").addEventListener("change", function () { this.dataset.touched = "1"; });
  document.body.addEventListener("intake-done", function () {
    setTimeout(function () { delete processing.dataset.stop; resetForm(); }, 50);
  });
  // Taking a waiting contact (SMS, app, AML position) into the form.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest(".use-contact");
    if (btn) {
      resetForm();
      document.getElementById("contact_id").value = btn.dataset.contact;
      document.getElementById("phone").value = btn.dataset.phone;
      startCall(btn.dataset.received);
      if (btn.dataset.lat) window.CC112Map && window.CC112Map.setIntakePosition(+btn.dataset.lat, +btn.dataset.lon, lang === "id" ? "posisi dari kontak" : "position from the contact");
      document.getElementById("type").focus();
    }
    var row = e.target.closest("tr[data-incident]");
    if (row) {
      document.querySelectorAll("tr.selected").forEach(function (r) { r.classList.remove("selected"); });
      row.classList.add("selected");
    }
  });
  toggleIncidentFields();
})();
