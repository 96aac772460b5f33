/* Public portal: keeps a draft, uses GPS, and when the network fails queues the report in the
   browser and retries with the same Idempotency-Key until it is accepted (never twice). */
(function () {
  "use strict";
  var id = document.body.dataset.lang === "en";
  var T = id ? {
    saved: "No connection. Your report is saved on this phone and will be sent automatically.",
    retry: "Sending the saved report…", sent: "Saved report sent.", gps: "Position found (±{m} m).",
    nogps: "Location is not available; choose the desa or kecamatan.", big: "The photo is too large to keep offline; the report is saved without it."
  } : {
    saved: "Tidak ada sinyal. Laporan disimpan di ponsel ini dan akan dikirim otomatis.",
    retry: "Mengirim laporan yang tersimpan…", sent: "Laporan tersimpan sudah terkirim.", gps: "Lokasi ditemukan (±{m} m).",
    nogps: "Lokasi tidak tersedia; pilih desa atau kecamatan.", big: "Foto terlalu besar untuk disimpan; laporan disimpan tanpa foto."
  };
  var QUEUE = "cc112-queue", DRAFT = "cc112-draft", TICKETS = "cc112-tickets";
  var form = document.getElementById("report");
  var pendingFile = null; // a photo too large to keep offline still goes with the first attempt
  var statusEl = document.getElementById("queue-status");
  function say(text) { if (statusEl) { statusEl.hidden = false; statusEl.textContent = text; } }
  function load(k, d) { try { return JSON.parse(localStorage.getItem(k)) || d; } catch (e) { return d; } }
  function save(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); return true; } catch (e) { return false; } }
  function uuid() { return (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2)); }

  function toFormData(item) {
    var fd = new FormData();
    Object.keys(item.fields).forEach(function (k) { fd.append(k, item.fields[k]); });
    if (!item.photo && pendingFile && pendingFile.key === item.key) {
      fd.append("photo", pendingFile.file, "photo");
    } else if (item.photo) {
      var bin = atob(item.photo.data.split(",")[1]), arr = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      fd.append("photo", new Blob([arr], { type: item.photo.type }), "photo");
    }
    return fd;
  }
  function send(item) {
    return fetch("/lapor", { method: "POST", body: toFormData(item),
      headers: { "Accept": "application/json", "Idempotency-Key": item.key } })
      .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }
  function remember(body) {
    var list = load(TICKETS, []);
    list.unshift({ ticket: body.ticket, code: body.tracking_code });
    save(TICKETS, list.slice(0, 10));
  }
  function flush() {
    var queue = load(QUEUE, []);
    if (!queue.length) return;
    say(T.retry);
    var item = queue[0];
    send(item).then(function (res) {
      if (res.status === 201) {
        queue.shift(); save(QUEUE, queue); remember(res.body); say(T.sent + " " + res.body.ticket); pendingFile = null;
        localStorage.removeItem(DRAFT);
        window.location = "/lacak/" + encodeURIComponent(res.body.ticket) + "?kode=" + encodeURIComponent(res.body.tracking_code) + "&baru=1";
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        queue.shift(); save(QUEUE, queue);
        say((res.body.error && res.body.error.message) || "Error " + res.status);
      } else { say(T.saved); }
    }).catch(function () { say(pendingFile ? T.big : T.saved); });
  }

  if (form) {
    var draft = load(DRAFT, null);
    if (draft) Object.keys(draft).forEach(function (k) { var el = form.elements[k]; if (el && el.type !== "file" && !el.value) el.value = draft[k]; });
    form.addEventListener("input", function () {
      var d = {}; ["category", "description", "region", "address", "phone", "lat", "lon", "accuracy"].forEach(function (k) { d[k] = form.elements[k].value; });
      save(DRAFT, d);
    });
    var gps = document.getElementById("use-gps");
    if (navigator.geolocation && gps) {
      gps.hidden = false;
      gps.addEventListener("click", function () {
        var note = document.getElementById("gps-note"); note.hidden = false;
        navigator.geolocation.getCurrentPosition(function (p) {
          form.elements.lat.value = p.coords.latitude.toFixed(6); form.elements.lon.value = p.coords.longitude.toFixed(6);
          form.elements.accuracy.value = Math.round(p.coords.accuracy);
          note.textContent = T.gps.replace("{m}", Math.round(p.coords.accuracy));
        }, function () { note.textContent = T.nogps; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var fields = {};
      ["category", "description", "region", "address", "phone", "lat", "lon", "accuracy", "website"].forEach(function (k) { fields[k] = form.elements[k].value; });
      var item = { key: uuid(), fields: fields, photo: null };
      var file = form.elements.photo.files[0];
      function enqueueAndSend() {
        var queue = load(QUEUE, []); queue.push(item);
        if (!save(QUEUE, queue)) { item.photo = null; say(T.big); queue[queue.length - 1] = item; save(QUEUE, queue); }
        flush();
      }
      if (file && file.size <= 3 * 1024 * 1024) {
        var reader = new FileReader();
        reader.onload = function () { item.photo = { data: reader.result, type: file.type }; enqueueAndSend(); };
        reader.readAsDataURL(file);
      } else { if (file) pendingFile = { key: item.key, file: file }; enqueueAndSend(); }
    });
  }
  var saved = document.getElementById("saved-tickets");
  if (saved) load(TICKETS, []).forEach(function (t) {
    var a = document.createElement("a"); a.href = "/lacak/" + t.ticket + "?kode=" + t.code; a.textContent = t.ticket;
    var p = document.createElement("p"); p.appendChild(a); saved.appendChild(p);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 8000);
  flush();
})();
