/* northpic orientation and measure: north arrow, scale bar, cursor coordinates
 * (decimal degrees, DMS, MGRS), a geodesic distance and bearing tool, search
 * over names and ids, tooltips on hover, and the position rows of popups.
 *
 * Geodesics are GeographicLib's (Karney 2013, on WGS84, npm geographiclib-geodesic,
 * global `geodesic`); MGRS is GeographicLib's MGRS (UTM zones, and UPS zones north of
 * 84 N and south of 80 S; npm geographiclib-mgrs, global `GeographicLibMGRS`).
 * Both are inlined at build time. Data text goes in with textContent only. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var M = NP.measure = {};
  var D2R = Math.PI / 180, R2D = 180 / Math.PI, NM = 1852;
  var WGS84 = window.geodesic.Geodesic.WGS84;
  var GMGRS = window.GeographicLibMGRS;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* ---- coordinates as text ----------------------------------------------- */
  function hemi(v, pos, neg) { return v < 0 ? neg : pos; }
  M.formatDD = function (lat, lon, decimals) {
    var d = decimals === undefined ? 5 : decimals;
    return Math.abs(lat).toFixed(d) + '\u00b0 ' + hemi(lat, 'N', 'S') + ', ' +
           Math.abs(lon).toFixed(d) + '\u00b0 ' + hemi(lon, 'E', 'W');
  };
  function dms(v, width) {
    var tenths = Math.round(Math.abs(v) * 36000);  // tenths of an arc second
    var deg = Math.floor(tenths / 36000), min = Math.floor(tenths % 36000 / 600);
    var sec = (tenths % 600) / 10;
    var d = String(deg); while (d.length < width) { d = '0' + d; }
    return d + '\u00b0' + (min < 10 ? '0' : '') + min + '\u2032' +
           (sec < 10 ? '0' : '') + sec.toFixed(1) + '\u2033';
  }
  M.formatDMS = function (lat, lon) {
    return dms(lat, 2) + ' ' + hemi(lat, 'N', 'S') + ', ' + dms(lon, 3) + ' ' + hemi(lon, 'E', 'W');
  };
  // MGRS with `digits` per axis (5: 1 m ... 0: the 100 km square), GeographicLib's
  // truncation; UTM from 80 S to 84 N, UPS (zones A, B, Y, Z) beyond
  M.mgrs = function (lat, lon, digits) {
    var d = digits === undefined ? 5 : digits;
    return GMGRS.forward([((lon + 540) % 360) - 180, Math.max(-90, Math.min(90, lat))], d);
  };
  M.formatMGRS = function (lat, lon, digits) {
    var text = M.mgrs(lat, lon, digits);
    var m = /^(\d{0,2}[A-Z])([A-Z]{2})(\d*)$/.exec(text);
    if (!m) { return text; }
    var half = m[3].length / 2;
    return [m[1], m[2], m[3].slice(0, half), m[3].slice(half)].filter(Boolean).join(' ');
  };

  /* ---- precision in words (levels from northpic.schema) ------------------ */
  M.precisionLevels = null;  // [[upper bound km or null, word], ...], set by addMeasure
  M.precisionWord = function (km) {
    var levels = M.precisionLevels || [];
    for (var i = 0; i < levels.length; i++) {
      if (levels[i][0] === null || km <= levels[i][0]) { return levels[i][1]; }
    }
    return null;
  };
  // the digits a position is worth against its uncertainty radius `km` (0: surveyed):
  // the coarsest grid step that is still no larger than the radius
  M.mgrsDigits = function (km) {
    if (!(km > 0)) { return 5; }
    return Math.max(0, Math.min(5, 5 - Math.floor(Math.log10(km * 1000))));
  };
  M.ddDecimals = function (km) {
    if (!(km > 0)) { return 5; }
    return Math.max(0, Math.min(5, Math.ceil(Math.log10(111.32 / km))));
  };
  M.positionText = function (lat, lon, km) {
    return { dd: M.formatDD(lat, lon, M.ddDecimals(km)),
             mgrs: M.formatMGRS(lat, lon, M.mgrsDigits(km)) };
  };

  /* ---- geodesics ----------------------------------------------------------- */
  M.inverse = function (a, b) {
    var r = WGS84.Inverse(a.lat, a.lng, b.lat, b.lng);
    return { metres: r.s12, azi1: (r.azi1 + 360) % 360, azi2: (r.azi2 + 360) % 360 };
  };
  // the geodesic from a to b as `n` + 1 points
  M.path = function (a, b, n) {
    var line = WGS84.InverseLine(a.lat, a.lng, b.lat, b.lng), out = [];
    for (var i = 0; i <= n; i++) {
      var p = line.Position(line.s13 * i / n);
      out.push([p.lat2, p.lon2]);
    }
    return out;
  };
  function fmtKm(metres) {
    var km = metres / 1000;
    return km >= 100 ? Math.round(km).toLocaleString('en') + ' km'
         : km >= 1 ? km.toFixed(1) + ' km' : Math.round(metres) + ' m';
  }
  function fmtNm(metres) {
    var nm = metres / NM;
    return (nm >= 100 ? Math.round(nm).toLocaleString('en') : nm.toFixed(1)) + ' nm';
  }
  function fmtBearing(deg) {
    var t = (Math.round(deg * 10) / 10) % 360, s = t.toFixed(1);
    while (s.length < 5) { s = '0' + s; }
    return s + '\u00b0';
  }

  /* ---- north arrow -------------------------------------------------------- */
  // clockwise angle from screen-up to true north at the view centre, in degrees: the
  // screen direction of the meridian there (in polar stereographic, towards the pole)
  M.northAngle = function (map) {
    var c = map.getCenter(), z = map.getZoom();
    if (c.lat >= 90 - 1e-9) { return null; }  // at the pole every way is south
    var step = Math.min(0.01, (90 - c.lat) / 2);
    var p0 = map.project(c, z), p1 = map.project(L.latLng(c.lat + step, c.lng), z);
    return Math.atan2(p1.x - p0.x, -(p1.y - p0.y)) * R2D;
  };
  M.northArrow = function () {
    var box = el('div', 'np-north');
    box.setAttribute('title', 'True north at the map centre');
    var rose = el('div', 'np-north-arrow');
    var ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '-20 -26 40 52'); svg.setAttribute('width', '34'); svg.setAttribute('height', '44');
    [['M0,-24 L9,6 L0,0 Z', '#1b1b1b'], ['M0,-24 L-9,6 L0,0 Z', '#ffffff']].forEach(function (d) {
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d[0]); path.setAttribute('fill', d[1]);
      path.setAttribute('stroke', '#1b1b1b'); path.setAttribute('stroke-width', '1.2');
      svg.appendChild(path);
    });
    var text = document.createElementNS(ns, 'text');
    text.setAttribute('x', '0'); text.setAttribute('y', '21'); text.setAttribute('text-anchor', 'middle');
    text.setAttribute('font-size', '12'); text.setAttribute('font-weight', '700');
    text.textContent = 'N';
    svg.appendChild(text);
    rose.appendChild(svg); box.appendChild(rose);
    return box;
  };
  M.updateNorth = function (map, box) {
    var angle = M.northAngle(map), rose = box.firstChild;
    rose.style.transform = angle === null ? '' : 'rotate(' + angle.toFixed(3) + 'deg)';
    box.setAttribute('data-angle', angle === null ? '' : angle.toFixed(3));
    box.classList.toggle('np-north-pole', angle === null);
  };

  /* ---- scale bar ---------------------------------------------------------- */
  // ground metres per CSS pixel at the view centre: the geodesic length of a short
  // horizontal span through it (the projection's scale varies with latitude)
  M.metresPerPixel = function (map) {
    var size = map.getSize(), cx = size.x / 2, cy = size.y / 2, h = 20;
    var a = map.containerPointToLatLng(L.point(cx - h, cy));
    var b = map.containerPointToLatLng(L.point(cx + h, cy));
    return M.inverse(a, b).metres / (2 * h);
  };
  function niceBelow(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x))), best = p;
    [2, 5, 10].forEach(function (k) { if (k * p <= x) { best = k * p; } });
    return best;
  }
  M.scaleBar = function () {
    var box = el('div', 'np-scale');
    box.setAttribute('title', 'Scale at the map centre (geodesic, WGS 84)');
    ['km', 'nm'].forEach(function (unit) {
      var row = el('div', 'np-scale-row np-scale-' + unit);
      row.appendChild(el('div', 'np-scale-bar'));
      row.appendChild(el('span', 'np-scale-label'));
      box.appendChild(row);
    });
    box.appendChild(el('div', 'np-scale-note', 'scale at map centre'));
    return box;
  };
  M.updateScale = function (map, box, maxPx) {
    var mpp = M.metresPerPixel(map), most = (maxPx || 120) * mpp;
    var km = niceBelow(most), nm = niceBelow(most / NM);
    [['km', km, km >= 1000 ? (km / 1000).toLocaleString('en') + ' km' : km + ' m'],
     ['nm', nm * NM, nm.toLocaleString('en') + ' nm']].forEach(function (u) {
      var row = box.querySelector('.np-scale-' + u[0]);
      row.querySelector('.np-scale-bar').style.width = (u[1] / mpp) + 'px';
      row.querySelector('.np-scale-label').textContent = u[2];
      row.setAttribute('data-metres', String(u[1]));
    });
    box.setAttribute('data-mpp', String(mpp));
  };

  /* ---- cursor coordinates ------------------------------------------------- */
  M.coordinates = function () {
    var box = el('div', 'np-coords');
    box.appendChild(el('div', 'np-coords-dd', '\u00a0'));
    box.appendChild(el('div', 'np-coords-dms', 'move the cursor over the map'));
    box.appendChild(el('div', 'np-coords-mgrs', '\u00a0'));
    return box;
  };
  M.showCoordinates = function (box, latlng) {
    var lat = latlng.lat, lon = ((latlng.lng + 540) % 360) - 180;
    box.querySelector('.np-coords-dd').textContent = M.formatDD(lat, lon, 5);
    box.querySelector('.np-coords-dms').textContent = M.formatDMS(lat, lon);
    box.querySelector('.np-coords-mgrs').textContent = 'MGRS ' + M.formatMGRS(lat, lon, 5);
    box.setAttribute('data-lat', String(lat)); box.setAttribute('data-lon', String(lon));
  };

  /* ---- finding features --------------------------------------------------- */
  // the top-most point under a container point: {entry, i} or null
  M.pointAt = function (map, cp) {
    for (var k = NP.order.length - 1; k >= 0; k--) {
      var entry = NP.layers[NP.order[k]];
      if (!entry.canvas || !map.hasLayer(entry.group)) { continue; }
      var i = entry.canvas.hit(cp);
      if (i >= 0) { return { entry: entry, i: i }; }
    }
    return null;
  };
  function featureCoords(geometry, out) {
    (function walk(c) {
      if (typeof c[0] === 'number') { out.push(c); } else { c.forEach(walk); }
    }(geometry.coordinates));
    return out;
  }
  // the projected box of a feature's vertices (in the map's CRS)
  M.featureBox = function (map, feature) {
    var crs = map.options.crs, box = null;
    featureCoords(feature.geometry, []).forEach(function (c) {
      var p = crs.projection.project(L.latLng(c[1], c[0]));
      box = box ? box.extend(p) : L.bounds(p, p);
    });
    return box;
  };
  // the zoom at which a projected box fills a `width` x `height` pixel frame
  M.zoomFor = function (map, box, width, height) {
    var crs = map.options.crs, z0 = crs.scale(0) * Math.abs(crs.transformation._a);
    var dx = Math.max(box.max.x - box.min.x, 1), dy = Math.max(box.max.y - box.min.y, 1);
    return Math.log(Math.min(width / (dx * z0), height / (dy * z0))) / Math.LN2;
  };

  /* ---- search over names and ids ----------------------------------------- */
  var index = null;
  function buildIndex() {
    index = [];
    NP.order.forEach(function (name) {
      var entry = NP.layers[name], data = entry.data;
      if (data.points && data.points.lon.length) {
        var v = data.points.values;
        for (var i = 0; i < data.points.lon.length; i++) {
          index.push({ entry: entry, i: i, name: String(v.name ? v.name[i] : ''),
                       id: String(v.id ? v.id[i] : '') });
        }
      }
      (data.shapes ? data.shapes.features : []).forEach(function (f) {
        index.push({ entry: entry, feature: f, name: String(f.properties.name || ''),
                     id: String(f.properties.id || '') });
      });
    });
  }
  M.search = function (query, limit) {
    if (!index) { buildIndex(); }
    var q = String(query).trim().toLowerCase(), hits = [];
    if (!q) { return hits; }
    index.forEach(function (r) {
      var n = r.name.toLowerCase(), id = r.id.toLowerCase();
      var rank = n === q || id === q ? 0 : n.indexOf(q) === 0 || id.indexOf(q) === 0 ? 1
               : n.indexOf(q) >= 0 || id.indexOf(q) >= 0 ? 2 : -1;
      if (rank >= 0) { hits.push({ r: r, rank: rank }); }
    });
    hits.sort(function (a, b) { return (a.rank - b.rank) || a.r.name.localeCompare(b.r.name); });
    return hits.slice(0, limit || 12).map(function (h) { return h.r; });
  };
  // pan to a search result and open its popup
  M.goTo = function (map, r) {
    var latlng, info = r.entry.info;
    if (!map.hasLayer(r.entry.group)) { r.entry.group.addTo(map); }
    if (r.feature) {
      var box = M.featureBox(map, r.feature), size = map.getSize();
      latlng = map.options.crs.projection.unproject(box.getCenter());
      var z = Math.min(Math.max(Math.floor(M.zoomFor(map, box, size.x * 0.7, size.y * 0.7)), 2), 8);
      map.setView(latlng, z, { animate: false });
      L.popup({ maxWidth: 360 }).setLatLng(latlng)
        .setContent(NP.popupContent(info, r.feature.properties)).openOn(map);
    } else {
      var p = r.entry.data.points;
      latlng = L.latLng(p.lat[r.i], p.lon[r.i]);
      map.setView(latlng, Math.max(map.getZoom(), 6), { animate: false });
      L.popup({ maxWidth: 360 }).setLatLng(latlng)
        .setContent(NP.popupContent(info, r.entry.canvas.props(r.i), latlng)).openOn(map);
    }
    return latlng;
  };
  function searchBox(map) {
    var box = el('div', 'np-control np-search');
    var input = el('input', 'np-search-input');
    input.type = 'search'; input.placeholder = 'Search names and ids';
    input.setAttribute('aria-label', 'Search features by name or id');
    var list = el('ul', 'np-search-results');
    box.appendChild(input); box.appendChild(list);
    var results = [];
    function pick(r) { list.textContent = ''; input.value = r.name; M.goTo(map, r); }
    input.addEventListener('input', function () {
      results = M.search(input.value);
      list.textContent = '';
      results.forEach(function (r) {
        var li = el('li', 'np-search-result');
        li.appendChild(el('span', 'np-search-name', r.name));
        li.appendChild(el('span', 'np-search-meta', r.entry.info.title + ' \u00b7 ' + r.id));
        // stopped here: pick() takes the item out of the page, and Leaflet would then
        // take the click for the map's and close the popup it opens
        li.addEventListener('click', function (e) { L.DomEvent.stop(e); pick(r); });
        list.appendChild(li);
      });
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && results.length) { pick(results[0]); }
      if (e.key === 'Escape') { list.textContent = ''; }
    });
    return box;
  }

  /* ---- the distance and bearing tool -------------------------------------- */
  M.measuring = false;
  M.result = null;
  function measureTool(map) {
    var box = el('div', 'np-control np-measure');
    var button = el('button', 'np-measure-button', 'Measure');
    button.type = 'button';
    button.setAttribute('title', 'Geodesic distance and bearing: click two points');
    var out = el('div', 'np-measure-result');
    box.appendChild(button); box.appendChild(out);
    var layer = L.layerGroup().addTo(map), ends = [];
    function reset() {
      layer.clearLayers(); ends = []; M.result = null; out.textContent = ''; out.removeAttribute('data-metres');
    }
    button.addEventListener('click', function () {
      M.measuring = !M.measuring; reset();
      button.classList.toggle('np-active', M.measuring);
      map.getContainer().classList.toggle('np-measuring', M.measuring);
      if (M.measuring) { out.textContent = 'click the first point (a symbol snaps to its feature)'; }
    });
    // takes the map's clicks while measuring (northpic.js asks before opening a popup)
    NP.clickTaken = function (e) {
      if (!M.measuring) { return false; }
      if (ends.length === 2) { reset(); }
      var hit = M.pointAt(map, e.containerPoint), end;
      if (hit) {
        var p = hit.entry.data.points;
        end = { latlng: L.latLng(p.lat[hit.i], p.lon[hit.i]), name: String(p.name[hit.i]) };
      } else {
        end = { latlng: e.latlng, name: null };
      }
      ends.push(end);
      L.circleMarker(end.latlng, { radius: 4, color: '#111', weight: 2, fillColor: '#ffd21f',
                                   fillOpacity: 1, interactive: false }).addTo(layer);
      if (ends.length === 1) {
        out.textContent = 'from ' + (end.name || M.formatDD(end.latlng.lat, end.latlng.lng, 4)) +
                          ': click the second point';
        return true;
      }
      var a = ends[0].latlng, b = ends[1].latlng, r = M.inverse(a, b);
      L.polyline(M.path(a, b, 96), { color: '#111', weight: 2, dashArray: '6 4',
                                     interactive: false }).addTo(layer);
      M.result = { metres: r.metres, azi1: r.azi1, azi2: r.azi2,
                   from: [a.lat, a.lng], to: [b.lat, b.lng] };
      out.textContent = '';
      var names = (ends[0].name || 'point 1') + ' \u2192 ' + (ends[1].name || 'point 2');
      out.appendChild(el('div', 'np-measure-names', names));
      out.appendChild(el('div', 'np-measure-distance', fmtKm(r.metres) + ' \u00b7 ' + fmtNm(r.metres)));
      out.appendChild(el('div', 'np-measure-bearing', 'initial bearing ' + fmtBearing(r.azi1) +
                         ' true \u00b7 arriving ' + fmtBearing(r.azi2)));
      out.appendChild(el('div', 'np-measure-note', 'geodesic on WGS 84'));
      out.setAttribute('data-metres', String(r.metres));
      return true;
    };
    return box;
  }

  /* ---- tooltips on hover --------------------------------------------------- */
  function hoverTooltips(map) {
    var tip = L.tooltip({ direction: 'top', offset: [0, -8], className: 'np-tooltip' });
    var shown = null;
    map.on('mousemove', function (e) {
      var hit = M.pointAt(map, e.containerPoint);
      var key = hit ? hit.entry.info.name + ':' + hit.i : null;
      if (key === shown) { return; }
      shown = key;
      if (!hit) { map.closeTooltip(tip); return; }
      var p = hit.entry.data.points;
      tip.setContent(el('span', null, p.name[hit.i])).setLatLng([p.lat[hit.i], p.lon[hit.i]]);
      map.openTooltip(tip);
    });
    map.on('mouseout', function () { shown = null; map.closeTooltip(tip); });
    function bind(layer) {
      if (layer.feature && layer.feature.properties.name !== undefined) {
        layer.bindTooltip(function () { return el('span', null, layer.feature.properties.name); },
                          { sticky: true, className: 'np-tooltip' });
      }
    }
    NP.order.forEach(function (name) {
      var shapes = NP.layers[name].shapes;
      if (!shapes) { return; }
      shapes.eachLayer(bind);
      shapes.on('layeradd', function (e) { bind(e.layer); });
    });
  }

  /* ---- putting it on the map ---------------------------------------------- */
  function control(position, node) {
    L.DomEvent.disableClickPropagation(node); L.DomEvent.disableScrollPropagation(node);
    var C = L.Control.extend({ options: { position: position }, onAdd: function () { return node; } });
    return new C();
  }
  NP.addMeasure = function (map, cfg) {
    M.precisionLevels = cfg.precision_levels;
    var north = M.northArrow(); north.classList.add('leaflet-bar', 'np-control');
    var scale = M.scaleBar();
    var coords = M.coordinates();
    control('topleft', north).addTo(map);
    control('topleft', searchBox(map)).addTo(map);
    control('topleft', measureTool(map)).addTo(map);
    var orient = el('div', 'np-control np-orient');  // scale and cursor side by side
    orient.appendChild(scale); orient.appendChild(coords);
    control('bottomright', orient).addTo(map);
    function update() { M.updateNorth(map, north); M.updateScale(map, scale); }
    map.on('move zoom moveend zoomend resize viewreset', update);
    update();
    map.on('mousemove', function (e) { M.showCoordinates(coords, e.latlng); });
    hoverTooltips(map);
    M.map = map;
  };
}());
