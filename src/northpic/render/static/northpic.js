/* northpic page logic: picture layers, provenance popups, a domain-grouped
 * layer control, a legend and a time filter, on top of Leaflet.
 *
 * Every piece of text that comes from data is put into the page with
 * textContent or createTextNode, never as HTML, so hostile names and notes
 * show as text and run nothing. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
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
  // a layer's style for one kind: the catalogue's style.kinds[kind] over the layer's own;
  // a kind with a symbol code (sidc) is drawn as a standard symbol of the record's affiliation
  NP.kindStyle = function (style, kind, affiliation) {
    var k = style.kinds && Object.prototype.hasOwnProperty.call(style.kinds, kind) ? style.kinds[kind] : {};
    return NP.symbols.prepare({ symbol: k.symbol || style.symbol || 'circle', color: k.color || style.color,
             radius: k.radius || style.radius || 5, hollow: !!k.hollow, sidc: k.sidc || null,
             affiliation: affiliation || null,
             label_zoom: k.label_zoom !== undefined ? k.label_zoom : style.label_zoom });
  };
  function validAt(t0, t1, when) {
    if (when === null) { return true; }
    if (t0 !== null && t0 !== undefined && t0 > when) { return false; }
    if (t1 !== null && t1 !== undefined && t1 < when) { return false; }
    return true;
  }
  NP.validAt = validAt;
  // whether a record of validity [t0, t1] shows now, and whether a shape's other
  // properties let it show (timecontrol.js puts ranges, "changed since" and months here)
  NP.isShown = function (t0, t1) { return validAt(t0, t1, NP.time); };
  // ids of records the page no longer draws (replaced or removed since it was made: live.js)
  NP.withdrawn = Object.create(null);
  NP.shapeShown = function () { return true; };
  NP.dateText = NP.dateText || function (v) { return v; };

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
    row('valid from', NP.dateText(props.valid_from), 'np-prov');
    row('valid to', NP.dateText(props.valid_to), 'np-prov');
    row('id', props.id, 'np-prov');
    row('originator', props.originator, 'np-prov');
    row('classification', props.classification, 'np-prov');
    row('releasable to', props.releasability, 'np-prov');
    root.appendChild(table);
    return root;
  };

  /* ---- a canvas layer for many points ---------------------------------- */
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
      var affs = points.values.affiliation || [], byKey = Object.create(null), count = {};
      this._kindOf = new Array(this.n); this._maxR = 0;
      for (var i = 0; i < this.n; i++) {
        var kind = kinds[i] === undefined ? '' : kinds[i], key = kind + '|' + (affs[i] || '');
        if (!byKey[key]) {
          byKey[key] = NP.kindStyle(style, kind, affs[i]); byKey[key].key = key; count[key] = 0;
          this._maxR = Math.max(this._maxR, byKey[key].radius);
        }
        count[key]++;
        if (!byKind[kind] || count[key] > count[byKind[kind].key]) { byKind[kind] = byKey[key]; }
        this._kindOf[i] = byKey[key];
      }
      this.kindStyles = byKind;  // one style a kind (its most frequent affiliation), for the legend
      this.styleOf = byKey;      // every (kind, affiliation) drawn
      this.hiddenKinds = Object.create(null);  // kinds switched off in the layer control
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
      var st = this.info.style, sc = this._screen(), r = Math.max(st.radius || 5, this._maxR);
      var big = this.n > 5000, zoom = map.getZoom();
      var shrink = big && zoom < 5 ? 0.45 : 1;
      r = Math.max(1.5, r * shrink);
      this._r = r; this._shrink = shrink;
      var t0 = this.points.t0, t1 = this.points.t1, isShown = NP.isShown;
      var W = size.x, H = size.y, vis = this.visible, count = 0;
      var hidden = this.hiddenKinds, kindName = this.points.values.kind || [];
      var withdrawn = NP.withdrawn, ids = this.points.values.id || [];
      var xs = new Float32Array(this.n), ys = new Float32Array(this.n);
      for (var i = 0; i < this.n; i++) {
        var x = sc.ax * this._px[i] + sc.bx, y = sc.cy * this._py[i] + sc.dy;
        xs[i] = x; ys[i] = y;
        var on = isShown(t0[i], t1[i]) && x > -50 && y > -50 && x < W + 50 && y < H + 50 &&
          !hidden[kindName[i]] && !withdrawn[ids[i]];
        vis[i] = on ? 1 : 0;
        if (on) { count++; }
      }
      this._xs = xs; this._ys = ys; this.count = count;
      // uncertainty rings first, below the symbols (rings.js)
      if (!big || zoom >= 5) { NP.drawRings(ctx, this, xs, ys, vis, sc.k, r); }
      ctx.globalAlpha = 0.9;
      var kindOf = this._kindOf, outline = !(big && zoom < 5);
      for (i = 0; i < this.n; i++) {
        if (!vis[i] || kindOf[i].symbol === 'text') { continue; }  // names only (labels.js)
        NP.symbols.draw(ctx, kindOf[i], xs[i], ys[i], shrink, outline);
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

  /* ---- labels: labels.js (NP.scheduleLabels, NP.drawLabels) -------------- */

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
          return NP.isShown(p._t0, p._t1) && NP.shapeShown(info, p) && !NP.withdrawn[p.id];
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
      if (entry.redraw) { entry.redraw(); }  // a layer of its own drawing (tracks.js)
    });
    if (NP.afterTime) { NP.afterTime(ms); }
  };

  // show or hide one kind of a point layer (the layer control's per-kind toggles)
  NP.setKindShown = function (name, kind, shown) {
    var entry = NP.layers[name]; if (!entry || !entry.canvas) { return; }
    if (shown) { delete entry.canvas.hiddenKinds[kind]; } else { entry.canvas.hiddenKinds[kind] = true; }
    if (entry.canvas._map) { entry.canvas._redraw(); }
  };

  NP.visibleCount = function (name) {
    var entry = NP.layers[name]; if (!entry || !entry.map.hasLayer(entry.group)) { return 0; }
    var n = entry.canvas ? entry.canvas.count : 0;
    if (entry.shapes) { n += entry.shapes.getLayers().length; }
    if (entry.count) { n += entry.count(); }
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
    NP.map = map;
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
              keys.forEach(function (k) {  // one toggle a kind
                var item = el('label', 'np-kind');
                item.setAttribute('data-kind', k.kind);
                var cb = el('input', 'np-kind-toggle'); cb.type = 'checkbox'; cb.checked = true;
                cb.setAttribute('data-kind', k.kind);  // its layer: the list's data-layer
                cb.addEventListener('change', function () { NP.setKindShown(name, k.kind, cb.checked); });
                item.appendChild(cb);
                item.appendChild(NP.symbols.swatch(k.style)); item.appendChild(el('span', null, k.kind.replace(/_/g, ' ')));
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
        box.appendChild(NP.symbols.legend(page.perspective));
        var keys = el('ul', 'np-keys');
        [['np-sym-ring', 'Thin dashed ring, labelled \u00b1km: location uncertainty, not an area'],
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

    // time control and monthly climatology: timecontrol.js
    NP.addTimeControl(map, page);
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
    NP.addPanels(map);  // collapsible panels: panels.js
    NP.symbols.whenReady(function () {  // once every standard symbol has been drawn
      NP.ready = true;
      window.northpicReady = true;
    });
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
