/* Live map (Leaflet): incidents by priority, units by status, kecamatan points.
   Works without tiles: a plain background with the markers. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var tiles = el.dataset.tiles;
  var map = L.map(el, { zoomControl: true, attributionControl: !!tiles }).setView([-1.0, 122.75], 9);
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
  } else {
    el.classList.add("map-plain");
  }
  var colors = { 1: "#c0392b", 2: "#e67e22", 3: "#d4ac0d", 4: "#5d6d7e" };
  var unitColors = { available: "#1e8449", assigned: "#2471a3", en_route: "#8e44ad", on_scene: "#117a65" };
  var layers = { kec: L.layerGroup().addTo(map), inc: L.layerGroup().addTo(map), units: L.layerGroup().addTo(map) };
  var intakeMarker = null;
  var fitted = false;

  function load() {
    fetch("/console/map-data", { headers: { "X-CC112-Background": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        layers.kec.clearLayers(); layers.inc.clearLayers(); layers.units.clearLayers();
        var pts = [];
        d.kecamatan.forEach(function (k) {
          pts.push([k.lat, k.lon]);
          L.circleMarker([k.lat, k.lon], { radius: 3, color: "#34495e", weight: 1, fillOpacity: 0.6 })
            .bindTooltip(k.name, { permanent: !tiles, direction: "right", className: "kec-label" }).addTo(layers.kec);
        });
        d.units.forEach(function (u) {
          L.circleMarker([u.lat, u.lon], { radius: 5, color: unitColors[u.status] || "#555", weight: 2, fillOpacity: 0.2 })
            .bindTooltip(u.code + " · " + u.status).addTo(layers.units);
        });
        d.incidents.forEach(function (i) {
          if (i.lat == null) return;
          L.circleMarker([i.lat, i.lon], { radius: 9, color: colors[i.priority], weight: 3, fillOpacity: 0.7 })
            .bindTooltip(i.ticket + " · " + i.type_name + " · " + i.status)
            .on("click", function () { if (window.htmx && document.getElementById("detail")) htmx.ajax("GET", "/console/incident/" + i.id, "#detail"); })
            .addTo(layers.inc);
        });
        if (!fitted && pts.length) { map.invalidateSize(); map.fitBounds(pts, { padding: [20, 20] }); fitted = true; }
      }).catch(function () {});
  }
  function setIntakePosition(lat, lon, note) {
    var latEl = document.getElementById("lat"), lonEl = document.getElementById("lon");
    if (!latEl) return;
    latEl.value = lat.toFixed(5); lonEl.value = lon.toFixed(5);
    var noteEl = document.getElementById("position-note");
    if (noteEl) noteEl.textContent = "📍 " + lat.toFixed(5) + ", " + lon.toFixed(5) + (note ? " (" + note + ")" : "");
    if (intakeMarker) intakeMarker.remove();
    intakeMarker = L.marker([lat, lon]).addTo(map);
  }
  map.on("click", function (e) {
    setIntakePosition(e.latlng.lat, e.latlng.lng, document.body.dataset.lang === "id" ? "dipilih di peta" : "picked on the map");
  });
  document.addEventListener("cc112:event", function (e) {
    var k = e.detail.kind;
    if (k.indexOf("incident.") === 0 || k.indexOf("assignment.") === 0 || k.indexOf("unit.") === 0) {
      clearTimeout(load.t); load.t = setTimeout(load, 400);
    }
  });
  window.CC112Map = { setIntakePosition: setIntakePosition, reload: load, map: map };
  load();
  setTimeout(function () { map.invalidateSize(); }, 200);
})();
