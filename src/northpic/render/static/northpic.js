/* northpic page logic: picture layers, provenance popups, a domain-grouped
 * layer control, a legend and a time filter, on top of Leaflet.
 *
 * Every piece of text that comes from data is put into the page with
 * textContent or createTextNode, never as HTML, so hostile names and notes
 * show as text and run nothing. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var DAY = 86400000;
  NP.layers = {};
  NP.order = [];
  NP.time = null;          // selected moment (ms) or null for "all dates"
  NP.ready = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function fmtValue(v) {
    if (v === null || v === undefined || v === '') { return null; }
    // group digits from 10,000 up only: years (2023) and small counts read as written
    if (typeof v === 'number') { return Number.isInteger(v) && Math.abs(v) >= 10000 ? v.toLocaleString('en') : String(v); }
    return String(v);
  }
  function precisionText(km) {  // the words are northpic.schema's (NP.measure.precisionWord)
    if (km === null || km === undefined) { return 'unknown'; }
    var label = NP.measure ? NP.measure.precisionWord(km) : null;
    if (km <= 0) { return label || 'surveyed'; }
    return '\u00b1' + km + ' km' + (label ? ' (' + label + ')' : '');
  }
  // a layer's style for one kind: the catalogue's style.kinds[kind] over the layer's own
  NP.kindStyle = function (style, kind) {
    var k = style.kinds && Object.prototype.hasOwnProperty.call(style.kinds, kind) ? style.kinds[kind] : {};
    return { symbol: k.symbol || style.symbol || 'circle', color: k.color || style.color,
             radius: k.radius || style.radius || 5,
             label_zoom: k.label_zoom !== undefined ? k.label_zoom : style.label_zoom };
  };
  function validAt(t0, t1, when) {
    if (when === null) { return true; }
    if (t0 !== null && t0 !== undefined && t0 > when) { return false; }
    if (t1 !== null && t1 !== undefined && t1 < when) { return false; }
    return true;
  }

  /* ---- popups ---------------------------------------------------------- */
  NP.popupContent = function (info, props, latlng) {
    var root = el('div', 'np-popup');
    root.setAttribute('data-layer', info.name);
    if (props.marking) { root.appendChild(el('div', 'np-popup-marking', props.marking)); }
    root.appendChild(el('div', 'np-popup-title', props.name));
    root.appendChild(el('div', 'np-popup-sub', info.title + ' \u00b7 ' + (props.kind || '')));
    if (info.caveat) { root.appendChild(el('div', 'np-popup-caveat', info.caveat)); }
    var table = el('table', 'np-popup-table');
    function row(key, value, cls) {
      var text = fmtValue(value);
      if (text === null) { return; }
      var tr = el('tr', cls);
      tr.appendChild(el('th', null, key));
      tr.appendChild(el('td', null, text));
      table.appendChild(tr);
    }
    info.attributes.forEach(function (key) { row(key.replace(/_/g, ' '), props[key]); });
    row('source', props.source, 'np-prov');
    row('confidence', props.confidence, 'np-prov');
    if (latlng && NP.measure) {  // the position, at the digits its precision is worth
      var pos = NP.measure.positionText(latlng.lat, latlng.lng, props.precision_km);
      row('position', pos.dd, 'np-prov np-position'); row('MGRS', pos.mgrs, 'np-mgrs');
    }
    row('location', precisionText(props.precision_km), 'np-prov');
    row('valid from', props.valid_from, 'np-prov');
    row('valid to', props.valid_to, 'np-prov');
    row('id', props.id, 'np-prov');
    row('originator', props.originator, 'np-prov');
    row('classification', props.classification, 'np-prov');
    row('releasable to', props.releasability, 'np-prov');
    root.appendChild(table);
    return root;
  };

  /* ---- a canvas layer for many points ---------------------------------- */
  function drawSymbol(ctx, symbol, x, y, r) {
    ctx.beginPath();
    if (symbol === 'square') {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (symbol === 'diamond') {
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.3, y);
      ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r * 1.3, y); ctx.closePath();
    } else if (symbol === 'triangle') {
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.2, y + r); ctx.lineTo(x - r * 1.2, y + r);
      ctx.closePath();
    } else if (symbol === 'star') {
      for (var i = 0; i < 10; i++) {
        var rr = i % 2 ? r * 0.5 : r * 1.35, ang = Math.PI / 5 * i - Math.PI / 2;
        if (i === 0) { ctx.moveTo(x + rr * Math.cos(ang), y + rr * Math.sin(ang)); }
        else { ctx.lineTo(x + rr * Math.cos(ang), y + rr * Math.sin(ang)); }
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  function decodeColumns(points) {
    points.columns.forEach(function (c) {
      var v = points.values[c];
      if (v && v.levels) { points.values[c] = v.codes.map(function (k) { return v.levels[k]; }); }
    });
    points.name = points.values.name;
    points.precision_km = points.values.precision_km;
    return points;
  }

  var PointCanvas = L.Layer.extend({
    initialize: function (info, points) {
      this.info = info;
      this.points = points;
      this.n = points.lon.length;
      this.visible = new Uint8Array(this.n);
      var kinds = points.values.kind || [], byKind = Object.create(null), style = info.style;
      this._kindOf = new Array(this.n);
      for (var i = 0; i < this.n; i++) {
        var kind = kinds[i] === undefined ? '' : kinds[i];
        if (!byKind[kind]) { byKind[kind] = NP.kindStyle(style, kind); }
        this._kindOf[i] = byKind[kind];
      }
      this.kindStyles = byKind;
    },
    onAdd: function (map) {
      this._map = map;
      var crs = map.options.crs;
      var n = this.n, px = new Float64Array(n), py = new Float64Array(n), pr = new Float64Array(n);
      var prec = this.points.precision_km;
      for (var i = 0; i < n; i++) {
        var lat = this.points.lat[i], lng = this.points.lon[i];
        var p = crs.projection.project(L.latLng(lat, lng));
        px[i] = p.x; py[i] = p.y;
        if (prec[i] > 0) {
          var q = crs.projection.project(L.latLng(Math.min(lat + prec[i] / 111.2, 89.999), lng));
          pr[i] = Math.sqrt((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y));
        }
      }
      this._px = px; this._py = py; this._pr = pr;
      this._canvas = L.DomUtil.create('canvas', 'np-points leaflet-zoom-hide');
      this._canvas.setAttribute('data-layer', this.info.name);
      map.getPane(this.info.pane || 'overlayPane').appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._redraw, this);
      this._redraw();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this._redraw, this);
      L.DomUtil.remove(this._canvas);
      this.visible.fill(0);
      NP.scheduleLabels(map);
    },
    _screen: function () {
      var map = this._map, crs = map.options.crs, t = crs.transformation;
      var s = crs.scale(map.getZoom()), origin = map.getPixelOrigin();
      var pane = map._getMapPanePos();
      return { ax: t._a * s, bx: t._b * s - origin.x + pane.x,
               cy: t._c * s, dy: t._d * s - origin.y + pane.y, k: Math.abs(t._a * s) };
    },
    _redraw: function () {
      var map = this._map; if (!map) { return; }
      var size = map.getSize(), canvas = this._canvas, ratio = window.devicePixelRatio || 1;
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var st = this.info.style, sc = this._screen(), r = st.radius || 5;
      var big = this.n > 5000, zoom = map.getZoom();
      var shrink = big && zoom < 5 ? 0.45 : 1;
      r = Math.max(1.5, r * shrink);
      this._r = r; this._shrink = shrink;
      var t0 = this.points.t0, t1 = this.points.t1, when = NP.time;
      var W = size.x, H = size.y, vis = this.visible, count = 0;
      var xs = new Float32Array(this.n), ys = new Float32Array(this.n);
      for (var i = 0; i < this.n; i++) {
        var x = sc.ax * this._px[i] + sc.bx, y = sc.cy * this._py[i] + sc.dy;
        xs[i] = x; ys[i] = y;
        var on = validAt(t0[i], t1[i], when) && x > -50 && y > -50 && x < W + 50 && y < H + 50;
        vis[i] = on ? 1 : 0;
        if (on) { count++; }
      }
      this._xs = xs; this._ys = ys; this.count = count;
      // uncertainty circles first, below the symbols
      if (!big || zoom >= 5) {
        ctx.lineWidth = 1; ctx.setLineDash([4, 3]);
        ctx.strokeStyle = st.color; ctx.fillStyle = st.color;
        for (i = 0; i < this.n; i++) {
          if (!vis[i] || !(this._pr[i] > 0)) { continue; }
          var rp = this._pr[i] * sc.k;
          if (rp < r + 2) { continue; }
          ctx.globalAlpha = 0.08; ctx.beginPath(); ctx.arc(xs[i], ys[i], rp, 0, 2 * Math.PI); ctx.fill();
          ctx.globalAlpha = 0.5; ctx.stroke();
        }
        ctx.setLineDash([]);
      }
      ctx.globalAlpha = 0.9; ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = big && zoom < 5 ? 0 : 1;
      var kindOf = this._kindOf;
      for (i = 0; i < this.n; i++) {
        if (!vis[i]) { continue; }
        var ks = kindOf[i];
        ctx.fillStyle = ks.color;
        drawSymbol(ctx, ks.symbol, xs[i], ys[i], Math.max(1.5, ks.radius * shrink));
        ctx.fill(); if (ctx.lineWidth) { ctx.stroke(); }
      }
      ctx.globalAlpha = 1;
      NP.scheduleLabels(map);
    },
    hit: function (cp) {
      if (!this._map || !this._xs) { return -1; }
      var best = -1, bestD = (this._r + 4) * (this._r + 4);
      for (var i = 0; i < this.n; i++) {
        if (!this.visible[i]) { continue; }
        var dx = this._xs[i] - cp.x, dy = this._ys[i] - cp.y, d = dx * dx + dy * dy;
        if (d <= bestD) { bestD = d; best = i; }
      }
      return best;
    },
    props: function (i) {
      var p = this.points, out = {};
      p.columns.forEach(function (c) { out[c] = p.values[c][i]; });
      return out;
    }
  });

  /* ---- labels for key places, across all point layers ------------------ */
  // One canvas above every layer. A point is labelled from its kind's label_zoom on;
  // lower label_zoom (more important) first, then catalogue order; a label is left out
  // where it would overlap one already placed or a labelled symbol.
  var MAX_LABELS = 1500;
  NP.scheduleLabels = function (map) {
    if (NP._labelFrame) { return; }
    NP._labelFrame = window.requestAnimationFrame(function () {
      NP._labelFrame = null; NP.drawLabels(map);
    });
  };
  NP.drawLabels = function (map) {
    if (!NP._labelCanvas) {
      map.createPane('npLabels').style.zIndex = 640;
      map.getPane('npLabels').style.pointerEvents = 'none';
      NP._labelCanvas = L.DomUtil.create('canvas', 'np-labels leaflet-zoom-hide', map.getPane('npLabels'));
    }
    var canvas = NP._labelCanvas, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    var ctx = canvas.getContext('2d'), zoom = map.getZoom(), todo = [];
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    NP.order.forEach(function (name, rank) {
      var c = NP.layers[name].canvas;
      if (!c || !c._map || !c._xs) { return; }
      for (var i = 0; i < c.n; i++) {
        var lz = c._kindOf[i].label_zoom;
        if (c.visible[i] && lz !== null && lz !== undefined && zoom >= lz) {
          todo.push({ c: c, i: i, lz: lz, rank: rank });
        }
      }
    });
    todo.sort(function (a, b) { return (a.lz - b.lz) || (a.rank - b.rank) || (a.i - b.i); });
    todo.length = Math.min(todo.length, MAX_LABELS);  // the most important ones
    function radius(t) { return Math.max(1.5, t.c._kindOf[t.i].radius * t.c._shrink); }
    var placed = todo.map(function (t) {  // the labelled symbols themselves
      var x = t.c._xs[t.i], y = t.c._ys[t.i], r = radius(t);
      return [x - r, y - r, x + r, y + r];
    });
    function free(b) {
      for (var j = 0; j < placed.length; j++) {
        var p = placed[j];
        if (b[0] < p[2] && p[0] < b[2] && b[1] < p[3] && p[1] < b[3]) { return false; }
      }
      return true;
    }
    ctx.font = '11px sans-serif'; ctx.textBaseline = 'middle';
    ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.fillStyle = '#222';
    var shown = [];
    todo.forEach(function (t) {
      var text = String(t.c.points.name[t.i]), w = ctx.measureText(text).width;
      var x = t.c._xs[t.i], y = t.c._ys[t.i], r = radius(t);
      var boxes = [[x + r + 3, y - 7, x + r + 5 + w, y + 7], [x - r - 5 - w, y - 7, x - r - 3, y + 7],
                   [x - w / 2 - 1, y - r - 17, x + w / 2 + 1, y - r - 3]];
      for (var k = 0; k < boxes.length; k++) {
        var b = boxes[k];
        if (b[0] < 0 || b[2] > size.x || b[1] < 0 || b[3] > size.y || !free(b)) { continue; }
        placed.push(b); shown.push({ text: text, box: b });
        ctx.strokeText(text, b[0] + 1, (b[1] + b[3]) / 2); ctx.fillText(text, b[0] + 1, (b[1] + b[3]) / 2);
        break;
      }
    });
    NP.labelled = shown;
  };

  /* ---- adding a layer -------------------------------------------------- */
  NP.addLayer = function (map, info, data) {
    var group = L.layerGroup();
    var entry = { info: info, group: group, canvas: null, shapes: null, data: data, map: map };
    if (data.points && data.points.lon.length) {
      entry.canvas = new PointCanvas(info, decodeColumns(data.points));
      group.addLayer(entry.canvas);
    }
    if (data.shapes && data.shapes.features.length) {
      var st = info.style;
      entry.shapes = L.geoJSON(null, {
        pane: info.pane || 'overlayPane',
        style: function (feature) {
          var o = { color: st.color, weight: st.weight || 2, dashArray: st.dash || null,
                    fillColor: st.fill || st.color, fillOpacity: st.fill_opacity || 0.15,
                    opacity: 0.9 };
          // per-kind overrides from the catalogue, e.g. an area drawn without its outline
          var k = st.kinds && feature && Object.prototype.hasOwnProperty.call(st.kinds, feature.properties.kind)
            ? st.kinds[feature.properties.kind] : null;
          if (k) {
            if (k.weight !== undefined) { o.weight = k.weight; o.stroke = k.weight > 0; }
            if (k.fill_opacity !== undefined) { o.fillOpacity = k.fill_opacity; o.fill = k.fill_opacity > 0; }
            if (k.color !== undefined) { o.color = k.color; }
            if (k.dash !== undefined) { o.dashArray = k.dash; }
          }
          return o;
        },
        filter: function (feature) {
          var p = feature.properties;
          return validAt(p._t0, p._t1, NP.time);
        },
        onEachFeature: function (feature, layer) {
          layer.on('click', function (e) {
            L.DomEvent.stopPropagation(e);
            if (NP.clickTaken && NP.clickTaken(e)) { return; }  // e.g. the measuring tool
            if (NP.openPointPopup(map, e)) { return; }
            L.popup({ maxWidth: 360 }).setLatLng(e.latlng)
              .setContent(NP.popupContent(info, feature.properties)).openOn(map);
          });
        }
      });
      entry.shapes.addData(data.shapes);
      group.addLayer(entry.shapes);
    }
    NP.layers[info.name] = entry;
    NP.order.push(info.name);
    if (info.show !== false) { group.addTo(map); }
    return entry;
  };

  NP.openPointPopup = function (map, e) {
    var cp = e.containerPoint;
    for (var k = NP.order.length - 1; k >= 0; k--) {
      var entry = NP.layers[NP.order[k]];
      if (!entry.canvas || !map.hasLayer(entry.group)) { continue; }
      var i = entry.canvas.hit(cp);
      if (i >= 0) {
        var p = entry.data.points;
        var at = L.latLng(p.lat[i], p.lon[i]);
        L.popup({ maxWidth: 360 }).setLatLng(at)
          .setContent(NP.popupContent(entry.info, entry.canvas.props(i), at)).openOn(map);
        return true;
      }
    }
    return false;
  };

  NP.setTime = function (ms) {
    NP.time = ms;
    NP.order.forEach(function (name) {
      var entry = NP.layers[name];
      if (entry.canvas && entry.canvas._map) { entry.canvas._redraw(); }
      if (entry.shapes) { entry.shapes.clearLayers(); entry.shapes.addData(entry.data.shapes); }
    });
    if (NP._timeLabel) { NP._timeLabel.textContent = ms === null ? 'all dates' : isoDay(ms); }
  };

  NP.visibleCount = function (name) {
    var entry = NP.layers[name]; if (!entry || !entry.map.hasLayer(entry.group)) { return 0; }
    var n = entry.canvas ? entry.canvas.count : 0;
    if (entry.shapes) { n += entry.shapes.getLayers().length; }
    return n;
  };

  // the kinds of a point layer that its style draws apart and its data holds, as
  // {kind, style}, in the catalogue's order (as the QGIS and KML categories)
  NP.kindKeys = function (entry) {
    var own = entry.info.style.kinds;
    if (!entry.canvas || !own) { return []; }
    var styles = entry.canvas.kindStyles;
    return Object.keys(own).filter(function (kind) { return kind in styles; })
      .map(function (kind) { return { kind: kind, style: styles[kind] }; });
  };

  /* ---- controls -------------------------------------------------------- */
  NP.addControls = function (map, page) {
    NP.page = page;
    var DOMAIN_TITLES = { military: 'Military', economic: 'Economic',
                          environmental: 'Environmental', social: 'Social' };
    // layer control grouped by domain
    var Control = L.Control.extend({
      options: { position: 'topright' },
      onAdd: function () {
        var box = el('div', 'np-control np-layers leaflet-bar');
        L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
        box.appendChild(el('div', 'np-control-title', 'Layers'));
        ['military', 'economic', 'environmental', 'social'].forEach(function (domain) {
          var names = NP.order.filter(function (n) { return NP.layers[n].info.domain === domain; });
          if (!names.length) { return; }
          var section = el('div', 'np-domain'); section.setAttribute('data-domain', domain);
          section.appendChild(el('div', 'np-domain-title', DOMAIN_TITLES[domain]));
          names.forEach(function (name) {
            var entry = NP.layers[name], info = entry.info;
            var label = el('label', 'np-layer-toggle');
            var box2 = el('input'); box2.type = 'checkbox'; box2.checked = map.hasLayer(entry.group);
            box2.setAttribute('data-layer', name);
            box2.addEventListener('change', function () {
              if (box2.checked) { entry.group.addTo(map); } else { map.removeLayer(entry.group); }
            });
            var sw = el('span', 'np-swatch np-sym-' + (info.style.symbol || (info.geometry === 'line' ? 'line' : 'area')));
            sw.style.color = info.style.color;
            if (info.style.dash) { sw.classList.add('np-dashed'); }
            label.appendChild(box2); label.appendChild(sw);
            label.appendChild(el('span', null, info.title));
            if (info.caveat_short) { label.appendChild(el('span', 'np-tag', info.caveat_short)); }
            section.appendChild(label);
            var keys = NP.kindKeys(entry);
            if (keys.length > 1) {
              var list = el('div', 'np-kinds'); list.setAttribute('data-layer', name);
              keys.forEach(function (k) {
                var item = el('span', 'np-kind');
                var ksw = el('span', 'np-swatch np-sym-' + k.style.symbol); ksw.style.color = k.style.color;
                item.appendChild(ksw); item.appendChild(el('span', null, k.kind.replace(/_/g, ' ')));
                list.appendChild(item);
              });
              section.appendChild(list);
            }
          });
          box.appendChild(section);
        });
        return box;
      }
    });
    new Control().addTo(map);

    // title, date, sources and legend
    var Legend = L.Control.extend({
      options: { position: 'bottomleft' },
      onAdd: function () {
        var box = el('div', 'np-control np-legend');
        L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
        box.appendChild(el('div', 'np-title', page.title));
        box.appendChild(el('div', 'np-date', 'Picture as of ' + page.date + ' \u00b7 ' + page.projection));
        if (page.marking) {
          box.appendChild(el('div', 'np-prepared', 'Marking: ' + page.marking.banner +
                             ' \u00b7 prepared for: ' + page.marking.prepared_for));
        }
        var keys = el('ul', 'np-keys');
        [['np-sym-ring', 'Dashed ring: location uncertainty (precision_km)'],
         ['np-sym-line np-dashed', 'Dashed line: schematic or indicative path'],
         ['np-sym-area', 'Shaded area: climatology or modelled extent']].forEach(function (k) {
          var li = el('li'); var sw = el('span', 'np-swatch ' + k[0]); sw.style.color = '#555';
          li.appendChild(sw); li.appendChild(el('span', null, k[1])); keys.appendChild(li);
        });
        box.appendChild(keys);
        box.appendChild(el('div', 'np-sources', 'Sources: ' + page.sources));
        return box;
      }
    });
    new Legend().addTo(map);

    // time filter
    if (page.time && page.time.min !== null) {
      var Time = L.Control.extend({
        options: { position: 'bottomright' },
        onAdd: function () {
          var box = el('div', 'np-control np-time');
          L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
          box.appendChild(el('div', 'np-control-title', 'Show as of'));
          var slider = el('input', 'np-time-slider'); slider.type = 'range';
          var days = Math.round((page.time.max - page.time.min) / DAY);
          slider.min = 0; slider.max = Math.max(days, 1); slider.step = 1;
          slider.value = Math.round((page.time.initial - page.time.min) / DAY);
          var label = el('span', 'np-time-label'); NP._timeLabel = label;
          var all = el('label', 'np-time-all'); var allBox = el('input'); allBox.type = 'checkbox';
          all.appendChild(allBox); all.appendChild(el('span', null, 'all dates'));
          function apply() {
            slider.disabled = allBox.checked;
            NP.setTime(allBox.checked ? null : page.time.min + Number(slider.value) * DAY);
          }
          slider.addEventListener('input', apply); allBox.addEventListener('change', apply);
          box.appendChild(slider); box.appendChild(label); box.appendChild(all);
          NP._slider = slider; NP._timeApply = apply;
          return box;
        }
      });
      new Time().addTo(map);
      NP.setTime(page.time.initial);
    }
    map.on('click', function (e) {
      if (NP.clickTaken && NP.clickTaken(e)) { return; }  // e.g. the measuring tool
      NP.openPointPopup(map, e);
    });
    map.on('mousemove', function (e) {
      var hit = false;
      for (var k = 0; k < NP.order.length && !hit; k++) {
        var entry = NP.layers[NP.order[k]];
        hit = !!entry.canvas && map.hasLayer(entry.group) && entry.canvas.hit(e.containerPoint) >= 0;
      }
      map.getContainer().style.cursor = hit ? 'pointer' : '';
    });
    NP.ready = true;
    window.northpicReady = true;
  };

  /* ---- basemap, graticule, labels -------------------------------------- */
  NP.addBasemap = function (map, land, grid) {
    map.createPane('np-land').style.zIndex = 250;
    map.createPane('np-grid').style.zIndex = 260;
    var renderer = L.canvas({ pane: 'np-land', padding: 0.2 });
    L.geoJSON(land, { pane: 'np-land', renderer: renderer, interactive: false,
      style: { color: '#9a9080', weight: 0.6, fillColor: '#efe9dc', fillOpacity: 1 } }).addTo(map);
    var gridRenderer = L.canvas({ pane: 'np-grid', padding: 0.2 });
    grid.features.forEach(function (f) {
      var special = f.properties.kind === 'arctic_circle';
      L.geoJSON(f, { pane: 'np-grid', renderer: gridRenderer, interactive: false,
        style: { color: special ? '#2b6c9e' : '#8aa0b4', weight: special ? 1.4 : 0.7,
                 dashArray: special ? '6 4' : null, opacity: 0.8 } }).addTo(map);
      if (f.properties.label) {
        var c = f.properties.label_at;
        L.marker([c[1], c[0]], { pane: 'np-grid', interactive: false, keyboard: false,
          icon: L.divIcon({ className: 'np-grid-label', html: '', iconSize: null }) })
          .addTo(map).getElement().textContent = f.properties.label;
      }
    });
  };
}());
