/* northpic track layer: millions of AIS positions drawn on a canvas.
 *
 * The page carries each zoom band's simplified lines as base64 zigzag varints
 * (quantised projected metres, delta-encoded, one vertex count a line): they are
 * decoded once into typed arrays. A redraw picks the band of the zoom, leaves
 * out the lines whose box is outside the window (and those the time control
 * hides) and strokes the rest. Zoomed out, a density layer of hexagonal bins
 * draws instead, with its legend. Text goes in by textContent. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var DAY = 86400000, SQRT3 = Math.sqrt(3);

  function bytesOf(b64) {
    var s = atob(b64), n = s.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }
  // zigzag LEB128 varints into an Int32Array of `count` values
  function varints(bytes, count) {
    var out = new Int32Array(count), pos = 0;
    for (var k = 0; k < count; k++) {
      var zz = 0, shift = 0, b;
      do { b = bytes[pos++]; zz += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      out[k] = (zz % 2 === 0) ? zz / 2 : -(zz + 1) / 2;
    }
    return out;
  }
  function decodeBand(band, lines) {
    var counts = varints(bytesOf(band.counts), lines);
    var xy = varints(bytesOf(band.xy), 2 * band.vertices);
    var starts = new Uint32Array(lines + 1), box = new Int32Array(4 * lines);
    var x = 0, y = 0, v = 0;
    for (var i = 0; i < lines; i++) {
      starts[i] = v;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var end = v + counts[i]; v < end; v++) {
        x += xy[2 * v]; y += xy[2 * v + 1];
        xy[2 * v] = x; xy[2 * v + 1] = y;   // absolute, in quanta
        if (x < x0) { x0 = x; } if (x > x1) { x1 = x; }
        if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
      }
      box[4 * i] = x0; box[4 * i + 1] = y0; box[4 * i + 2] = x1; box[4 * i + 3] = y1;
    }
    starts[lines] = v;
    return { minZoom: band.min_zoom, q: band.quantum_m, tolerance: band.tolerance_m,
             xy: xy, starts: starts, box: box, vertices: band.vertices };
  }
  function decodeLevels(d) { return d.codes.map(function (k) { return d.levels[k]; }); }

  // screen = a * metres + b (Leaflet's transformation and scale, and the pane's offset)
  function screenOf(map) {
    var crs = map.options.crs, t = crs.transformation, s = crs.scale(map.getZoom());
    var origin = map.getPixelOrigin(), pane = map._getMapPanePos();
    return { ax: t._a * s, bx: t._b * s - origin.x + pane.x,
             cy: t._c * s, dy: t._d * s - origin.y + pane.y, k: Math.abs(t._a * s) };
  }
  function placeCanvas(map, canvas) {
    var size = map.getSize(), ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, W: size.x, H: size.y };
  }
  // a track shows once it has begun by the date shown (tracks are history), or in a range
  function lineShown(t0, t1) {
    var range = NP.timeState && NP.timeState.mode === 'range';
    var day = (t0 === null || t0 === undefined) ? t0 : t0 - (t0 % DAY);
    return NP.isShown(day, range ? t1 : null);
  }

  var CanvasLayer = L.Layer.extend({
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create('canvas', this.cls + ' leaflet-zoom-hide');
      this._canvas.setAttribute('data-layer', this.name);
      map.getPane('np-tracks').appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize viewreset', this.redraw, this);
      L.DomUtil.remove(this._canvas);
      this._map = null; this.drawn = 0;
    },
    redraw: function () {
      if (!this._map) { return; }
      var started = performance.now();
      var c = placeCanvas(this._map, this._canvas);
      this.draw(c.ctx, c.W, c.H, screenOf(this._map), this._map.getZoom());
      this.lastMs = performance.now() - started;
    }
  });

  var TrackLayer = CanvasLayer.extend({
    initialize: function (info) {
      this.info = info; this.name = info.name; this.cls = 'np-tracks';
      this.bands = info.bands.map(function (b) { return decodeBand(b, info.lines); });
      this.drawn = 0; this.band = -1; this.vertices = 0;
    },
    bandFor: function (zoom) {
      var k = -1;
      for (var i = 0; i < this.bands.length; i++) { if (zoom >= this.bands[i].minZoom) { k = i; } }
      return k;
    },
    draw: function (ctx, W, H, sc, zoom) {
      this.drawn = 0; this.vertices = 0;
      this.band = zoom > this.info.density_max_zoom || !NP.layerOn('ais_density')
        ? Math.max(this.bandFor(zoom), 0) : -1;
      if (this.band < 0) { return; }
      var b = this.bands[this.band], q = b.q, xy = b.xy, st = b.starts, box = b.box;
      var ax = sc.ax * q, cy = sc.cy * q, bx = sc.bx, dy = sc.dy, pad = 2;
      // the window in quanta (y grows up in metres, down on screen)
      var wx0 = (-pad - bx) / ax, wx1 = (W + pad - bx) / ax;
      var wyA = (-pad - dy) / cy, wyB = (H + pad - dy) / cy;
      var wy0 = Math.min(wyA, wyB), wy1 = Math.max(wyA, wyB);
      var t0 = this.info.t0, t1 = this.info.t1, n = this.info.lines, drawn = 0, verts = 0;
      ctx.strokeStyle = this.info.color; ctx.globalAlpha = 0.75; ctx.lineWidth = 1;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      var batch = 0;
      for (var i = 0; i < n; i++) {
        if (box[4 * i + 2] < wx0 || box[4 * i] > wx1 || box[4 * i + 3] < wy0 || box[4 * i + 1] > wy1) {
          continue;
        }
        if (!lineShown(t0[i], t1[i])) { continue; }
        var v = st[i], end = st[i + 1];
        var px = ax * xy[2 * v] + bx, py = cy * xy[2 * v + 1] + dy;
        ctx.moveTo(px, py);
        for (v++; v < end; v++) {
          var x = ax * xy[2 * v] + bx, y = cy * xy[2 * v + 1] + dy;
          if (v + 1 < end && Math.abs(x - px) < 0.7 && Math.abs(y - py) < 0.7) { continue; }
          ctx.lineTo(x, y); px = x; py = y; verts++;
        }
        drawn++;
        if (++batch === 2000) { ctx.stroke(); ctx.beginPath(); batch = 0; }
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
      this.drawn = drawn; this.vertices = verts;
    }
  });

  var DensityLayer = CanvasLayer.extend({
    initialize: function (info) {
      this.info = info; this.name = info.density_name; this.cls = 'np-density';
      this.grids = info.density; this.drawn = 0; this.grid = null;
    },
    gridFor: function (zoom) {
      var g = null;
      this.grids.forEach(function (grid) { if (grid.zoom <= zoom) { g = grid; } });
      return g || this.grids[0];
    },
    draw: function (ctx, W, H, sc, zoom) {
      this.drawn = 0; this.grid = null;
      if (zoom > this.info.density_max_zoom) { NP.tracksLegend(null); return; }
      var g = this.grid = this.gridFor(zoom), ramp = this.info.ramp, steps = ramp.length;
      var max = 1;
      for (var i = 0; i < g.n.length; i++) { if (g.n[i] > max) { max = g.n[i]; } }
      var r = g.size_m * sc.k, logMax = Math.log(max + 1), paths = [];
      for (var s = 0; s < steps; s++) { paths.push([]); }
      for (i = 0; i < g.n.length; i++) {
        var mx = g.size_m * SQRT3 * (g.q[i] + g.r[i] / 2), my = g.size_m * 1.5 * g.r[i];
        var x = sc.ax * mx + sc.bx, y = sc.cy * my + sc.dy;
        if (x < -r || y < -r || x > W + r || y > H + r) { continue; }
        var k = Math.min(steps - 1, Math.floor(Math.log(g.n[i] + 1) / logMax * steps));
        paths[k].push(x, y);
        this.drawn++;
      }
      ctx.globalAlpha = 0.8;
      for (s = 0; s < steps; s++) {
        var pts = paths[s]; if (!pts.length) { continue; }
        ctx.beginPath();
        for (var j = 0; j < pts.length; j += 2) {
          for (var c = 0; c < 6; c++) {
            var a = Math.PI / 180 * (60 * c - 30);
            var hx = pts[j] + r * Math.cos(a), hy = pts[j + 1] + r * Math.sin(a);
            if (c === 0) { ctx.moveTo(hx, hy); } else { ctx.lineTo(hx, hy); }
          }
          ctx.closePath();
        }
        ctx.fillStyle = ramp[s]; ctx.fill();
      }
      ctx.globalAlpha = 1;
      NP.tracksLegend({ max: max, km: 2 * g.size_m / 1000 });
    }
  });

  NP.layerOn = function (name) {
    var e = NP.layers[name];
    return !!(e && e.map && e.map.hasLayer(e.group));
  };

  NP.addTracks = function (map, info) {
    if (!map.getPane('np-tracks')) { map.createPane('np-tracks').style.zIndex = 390; }
    var started = performance.now();
    info.vessel_name = decodeLevels(info.vessel_name);
    info.marking = decodeLevels(info.marking);
    var tracks = new TrackLayer(info), density = new DensityLayer(info);
    NP.tracks = { info: info, layer: tracks, density: density, map: map,
                  decodeMs: performance.now() - started };
    [[info.name, tracks, info.title, 'line', info.color],
     [info.density_name, density, info.density_title, 'area', info.ramp[3]]].forEach(function (d) {
      var group = L.layerGroup([d[1]]);
      NP.layers[d[0]] = {
        info: { name: d[0], title: d[2], domain: 'economic', geometry: d[3], nature: 'observed',
                style: { color: d[4] }, attributes: [], show: true },
        group: group, canvas: null, shapes: null, data: {}, map: map,
        count: function () { return d[1]._map ? d[1].drawn : 0; },
        redraw: function () { d[1].redraw(); }
      };
      NP.order.push(d[0]);
    });
    // the density layer draws first (it decides whether the lines show when zoomed out)
    NP.layers[info.density_name].group.addTo(map);
    NP.layers[info.name].group.addTo(map);
    // switching the density off when zoomed out shows the lines instead, and back
    map.on('layeradd layerremove', function (e) {
      if (e.layer === NP.layers[info.density_name].group) { tracks.redraw(); }
    });
    NP.tracks.loadMs = performance.now() - started;
    window.northpicTracksReady = true;
  };

  // the density legend: the colour scale of the grid drawn, or hidden
  NP.tracksLegend = function (state) {
    var box = NP.tracksLegendBox;
    if (!box) {
      var info = NP.tracks && NP.tracks.info; if (!info) { return; }
      var Legend = L.Control.extend({
        options: { position: 'bottomright' },
        onAdd: function () {
          var b = L.DomUtil.create('div', 'np-control np-density-legend');
          L.DomEvent.disableClickPropagation(b);
          L.DomUtil.create('div', 'np-title', b).textContent = info.density_title;
          var bar = L.DomUtil.create('div', 'np-density-bar', b);
          bar.style.height = '10px'; bar.style.margin = '4px 0 2px';
          bar.style.background = 'linear-gradient(to right,' + info.ramp.join(',') + ')';
          var ticks = L.DomUtil.create('div', 'np-density-ticks', b);
          ticks.style.display = 'flex'; ticks.style.justifyContent = 'space-between';
          L.DomUtil.create('span', '', ticks).textContent = '1';
          L.DomUtil.create('span', 'np-density-max', ticks);
          L.DomUtil.create('div', 'np-density-note', b).textContent = info.density_note;
          return b;
        }
      });
      new Legend().addTo(NP.tracks.map);
      box = NP.tracksLegendBox = document.querySelector('.np-density-legend');
    }
    box.style.display = state ? '' : 'none';
    if (state) {
      box.querySelector('.np-density-max').textContent =
        state.max.toLocaleString('en') + ' positions (hex ' + Math.round(state.km) + ' km)';
    }
  };
}());
