/* Leaders' dashboard: charts (Chart.js) and the map (Leaflet) drawn from the numbers embedded in
   the page. The tables are the content: they stay open until a chart has been drawn in their
   place, and if a library cannot load (slow or broken connection) nothing else changes.
   Libraries load after the page has rendered; Leaflet only when the map comes near the screen. */
(function () {
  "use strict";
  var dataEl = document.getElementById("dashboard-data");
  if (!dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var lang = document.body.dataset.lang || "id";
  var locale = lang === "id" ? "id-ID" : "en-GB";
  var ACCENT = "#0b5394";

  // ---- filters: show the fields the chosen period needs; choosing a month or dates chooses the period
  var form = document.getElementById("filters");
  var period = document.getElementById("f-period");
  if (form && period) {
    var showPeriod = function () {
      form.classList.remove("period-month", "period-custom");
      form.classList.add("period-" + period.value);
    };
    form.classList.add("js-filters");
    showPeriod();
    period.addEventListener("change", showPeriod);
    document.getElementById("f-month").addEventListener("change", function () { period.value = "month"; showPeriod(); });
    ["f-start", "f-end"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", function () { period.value = "custom"; showPeriod(); });
    });
    // Leave out fields this period does not use, so the address (and every CSV link) stays short.
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (el) {
        var unused = (el.name === "month" && period.value !== "month") ||
          ((el.name === "start" || el.name === "end") && period.value !== "custom") || (el.tagName === "SELECT" && !el.value);
        if (unused) el.disabled = true;
      });
    });
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[disabled]").forEach(function (el) { el.disabled = false; });
    });
  }

  // ---- loading libraries from /vendor, once
  var loaded = {};
  function script(src) {
    if (!loaded[src]) {
      loaded[src] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src; s.async = true;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(s);
      });
    }
    return loaded[src];
  }
  function stylesheet(href) {
    return new Promise(function (resolve) {
      var l = document.createElement("link");
      l.rel = "stylesheet"; l.href = href;
      l.onload = resolve; l.onerror = resolve;
      document.head.appendChild(l);
    });
  }

  // ---- charts
  function axis() {
    return { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#e5e8e8" } };
  }
  function config(name, d) {
    var options = { responsive: true, maintainAspectRatio: false, animation: false, locale: locale,
      plugins: { legend: { display: false } }, scales: { x: { grid: { display: false } }, y: axis() } };
    var set = { label: data.label, data: d.values, backgroundColor: ACCENT, borderColor: ACCENT };
    if (name === "daily") {
      set.backgroundColor = "rgba(11, 83, 148, 0.15)";
      set.fill = true; set.tension = 0.2; set.pointRadius = d.values.length > 62 ? 0 : 2;
      return { type: "line", data: { labels: d.labels, datasets: [set] }, options: options };
    }
    if (name === "types") {
      options.indexAxis = "y";
      options.scales = { x: axis(), y: { grid: { display: false } } };
    }
    if (name === "priority") set.backgroundColor = ["#c0392b", "#e67e22", "#d4ac0d", "#5d6d7e"];
    return { type: "bar", data: { labels: d.labels, datasets: [set] }, options: options };
  }
  function drawCharts() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var name = canvas.dataset.chart;
      if (!data[name]) return;
      var box = canvas.parentNode, figure = canvas.closest("figure");
      box.hidden = false;
      new window.Chart(canvas, config(name, data[name]));
      var table = figure && figure.querySelector("details.numbers");
      if (table) table.open = false;
      figure.classList.add("drawn");
    });
    document.body.dataset.charts = "drawn";
  }

  // ---- map: kecamatan circles sized by count, H3 hotspot hexagons shaded by count
  function drawMap() {
    var el = document.getElementById("dash-map"), m = data.map;
    if (!el || !window.L) return;
    el.hidden = false;
    var map = L.map(el, { attributionControl: !!m.tiles, scrollWheelZoom: false });
    if (m.tiles) {
      L.tileLayer(m.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    var pts = [];
    var topHex = Math.max.apply(null, [1].concat(m.hexes.map(function (h) { return h.count; })));
    m.hexes.forEach(function (h) {
      L.polygon(h.boundary, { color: "#922b21", weight: 1, fillColor: "#c0392b", fillOpacity: 0.15 + 0.6 * h.count / topHex })
        .bindTooltip(h.label).addTo(map);
      pts = pts.concat(h.boundary);
    });
    var counts = m.kecamatan.map(function (k) { return k.count; });
    var top = Math.max.apply(null, [1].concat(counts));
    var labelled = counts.slice().sort(function (a, b) { return b - a; })[7] || 1;
    m.kecamatan.forEach(function (k) {
      pts.push([k.lat, k.lon]);
      L.circleMarker([k.lat, k.lon], { radius: k.count ? 4 + 18 * Math.sqrt(k.count / top) : 2, color: ACCENT, weight: 1,
        fillOpacity: k.count ? 0.35 : 0.1 })
        .bindTooltip(k.name + ": " + k.count, { permanent: !m.tiles && k.count >= labelled && k.count > 0,
          direction: "right", className: "kec-label" })
        .addTo(map);
    });
    if (pts.length) map.fitBounds(pts, { padding: [16, 16] });
    document.body.dataset.map = "drawn";
  }

  if (document.querySelector("canvas[data-chart]")) {
    script("/vendor/chartjs/chart.umd.min.js").then(drawCharts).catch(function () { /* tables stay open */ });
  }
  var mapEl = document.getElementById("dash-map");
  if (mapEl) {
    var startMap = function () {
      Promise.all([stylesheet("/vendor/leaflet/leaflet.css"), script("/vendor/leaflet/leaflet.js")])
        .then(drawMap).catch(function () { /* the tables beside it stay */ });
    };
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); startMap(); }
      }, { rootMargin: "400px" });
      seen.observe(mapEl.closest("figure"));
    } else {
      startMap();
    }
  }
})();
