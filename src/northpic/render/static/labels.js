/* northpic labels: names of key places, of seas and straits, and of lines along the line.
 *
 * One canvas above every layer. Who gets a label, from which zoom and before whom is data
 * in the catalogue: a layer's style.label_zoom (and each kind's), and style.labels with
 * `priority` per kind and `records` per record id ({label_zoom, priority}). Higher priority
 * is placed first (HQs, fleet bases, capitals), then lower label_zoom, then catalogue order.
 * A label never overlaps another label; it avoids every labelled symbol, and when no place
 * is free it may cover only the symbols of lower priority. A layer whose symbol is "text"
 * (seas, straits) draws its names centred in italics, with no symbol. Lines of a line layer
 * with a label_zoom are named along the line. Text is drawn on the canvas: no HTML. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var MAX_LABELS = 1500;
  var POINT_FONT = '11px sans-serif';
  var AREA_FONTS = { sea: 'italic 13px serif', gap: 'italic 600 12px serif' };
  var AREA_FONT = 'italic 12px serif';
  var LINE_FONT = 'italic 10.5px sans-serif';

  function own(obj, key) { return !!obj && Object.prototype.hasOwnProperty.call(obj, key); }

  // the label rule of record i of a point layer: {zoom, priority} (zoom null: never)
  NP.labelRule = function (info, kind, id) {
    var style = info.style || {}, labels = style.labels || {};
    var ks = NP.kindStyle(style, kind), rec = own(labels.records, id) ? labels.records[id] : null;
    var zoom = rec && rec.label_zoom !== undefined ? rec.label_zoom : ks.label_zoom;
    var priority = rec && rec.priority !== undefined ? rec.priority
      : (own(labels.priority, kind) ? labels.priority[kind] : 0);
    return { zoom: zoom === undefined ? null : zoom, priority: priority };
  };

  // the records a catalogue names as key labels: [{layer, id, name, label_zoom}]
  NP.keyLabels = function () {
    var out = [];
    NP.order.forEach(function (name) {
      var entry = NP.layers[name], recs = (entry.info.style.labels || {}).records || {};
      var p = entry.data.points;
      Object.keys(recs).forEach(function (id) {
        var i = p && p.values.id ? p.values.id.indexOf(id) : -1;
        if (i >= 0) {
          out.push({ layer: name, id: id, index: i, name: String(p.values.name[i]), lat: p.lat[i],
                     lon: p.lon[i], label_zoom: NP.labelRule(entry.info, p.values.kind[i], id).zoom });
        }
      });
    });
    return out;
  };

  function rules(c) {  // per record, cached on the layer
    if (!c._labelRules) {
      var kinds = c.points.values.kind || [], ids = c.points.values.id || [];
      c._labelRules = new Array(c.n);
      for (var i = 0; i < c.n; i++) { c._labelRules[i] = NP.labelRule(c.info, kinds[i], ids[i]); }
    }
    return c._labelRules;
  }

  NP.scheduleLabels = function (map) {
    if (NP._labelFrame) { return; }
    NP._labelFrame = window.requestAnimationFrame(function () {
      NP._labelFrame = null; NP.drawLabels(map);
    });
  };

  function shortName(text) {  // a line's name up to its parenthesis: "Northern Sea Route"
    var s = String(text), cut = s.indexOf(' (');
    return cut > 0 ? s.slice(0, cut) : s;
  }

  function overlaps(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }

  // the longest on-screen stretch of a line (its segments clipped to the view), and the
  // place and angle at its middle
  function lineAnchor(map, latlngs, size, width) {
    var best = null, run = [], bounds = L.bounds([4, 4], [size.x - 4, size.y - 4]);
    function close() {
      if (run.length < 2) { run = []; return; }
      var len = 0, cum = [0];
      for (var k = 1; k < run.length; k++) { len += run[k].distanceTo(run[k - 1]); cum.push(len); }
      if (!best || len > best.len) { best = { pts: run, cum: cum, len: len }; }
      run = [];
    }
    var pts = latlngs.map(function (ll) { return map.latLngToContainerPoint(ll); });
    for (var j = 1; j < pts.length; j++) {
      var seg = L.LineUtil.clipSegment(pts[j - 1], pts[j], bounds, false, false);
      if (!seg) { close(); continue; }
      if (run.length && run[run.length - 1].distanceTo(seg[0]) < 0.5) { run.push(seg[1]); }
      else { close(); run = [seg[0], seg[1]]; }
    }
    close();
    if (!best || best.len < width + 24) { return null; }
    function at(s) {
      for (var k = 1; k < best.pts.length; k++) {
        if (best.cum[k] >= s) {
          var f = (s - best.cum[k - 1]) / Math.max(best.cum[k] - best.cum[k - 1], 1e-9);
          var a = best.pts[k - 1], b = best.pts[k];
          return L.point(a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f);
        }
      }
      return best.pts[best.pts.length - 1];
    }
    // places to try: the middle of the stretch, then a third and two thirds along it
    return [0.5, 0.3, 0.7].map(function (f) {
      var mid = Math.min(Math.max(best.len * f, width / 2), best.len - width / 2);
      var p0 = at(mid - width / 2), p1 = at(mid + width / 2);
      var angle = Math.atan2(p1.y - p0.y, p1.x - p0.x);
      if (angle > Math.PI / 2) { angle -= Math.PI; } else if (angle < -Math.PI / 2) { angle += Math.PI; }
      var c = at(mid);  // on the line; the text runs along the chord around it
      return { x: c.x, y: c.y, angle: angle };
    });
  }

  function flatLatLngs(layer) {  // a polyline's parts as arrays of LatLng
    var ll = layer.getLatLngs ? layer.getLatLngs() : [];
    if (!ll.length) { return []; }
    return ll[0] instanceof L.LatLng ? [ll] : ll.filter(function (part) { return part.length; });
  }

  NP.drawLabels = function (map) {
    if (!NP._labelCanvas) {
      map.createPane('npLabels').style.zIndex = 640;
      map.getPane('npLabels').style.pointerEvents = 'none';
      NP._labelCanvas = L.DomUtil.create('canvas', 'np-labels leaflet-zoom-hide', map.getPane('npLabels'));
      map.on('moveend zoomend resize layeradd layerremove', function () { NP.scheduleLabels(map); });
    }
    var canvas = NP._labelCanvas, size = map.getSize(), ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio; canvas.height = size.y * ratio;
    canvas.style.width = size.x + 'px'; canvas.style.height = size.y + 'px';
    L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
    var ctx = canvas.getContext('2d'), zoom = map.getZoom(), todo = [];
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (NP.drawHighlights) { NP.drawHighlights(ctx); }  // "changed since" (timecontrol.js)
    NP.order.forEach(function (name, rank) {
      var entry = NP.layers[name], c = entry.canvas;
      if (c && c._map && c._xs) {
        var rs = rules(c);
        for (var i = 0; i < c.n; i++) {
          var rule = rs[i];
          if (c.visible[i] && rule.zoom !== null && zoom >= rule.zoom) {
            todo.push({ c: c, i: i, lz: rule.zoom, p: rule.priority, rank: rank,
                        area: c._kindOf[i].symbol === 'text' });
          }
        }
      }
      var lz = entry.info.style.label_zoom;
      if (entry.shapes && entry.info.geometry === 'line' && map.hasLayer(entry.group) &&
          lz !== undefined && lz !== null && zoom >= lz) {
        entry.shapes.getLayers().forEach(function (layer, j) {
          todo.push({ line: layer, entry: entry, i: j, lz: lz, p: 0, rank: rank });
        });
      }
    });
    todo.sort(function (a, b) {
      return (b.p - a.p) || (a.lz - b.lz) || (!!a.line - !!b.line) || (a.rank - b.rank) || (a.i - b.i);
    });
    todo.length = Math.min(todo.length, MAX_LABELS);  // the most important ones
    // a symbol's box about its point: a standard symbol's own extent (an HQ stands on its staff)
    function symbolBox(t) {
      var ks = t.c._kindOf[t.i], k = t.c._shrink, x = t.c._xs[t.i], y = t.c._ys[t.i];
      if (ks.box) { return [x + ks.box[0] * k, y + ks.box[1] * k, x + ks.box[2] * k, y + ks.box[3] * k]; }
      var r = Math.max(1.5, ks.radius * k);
      return [x - r, y - r, x + r, y + r];
    }
    var symbols = [];  // the labelled symbols themselves, with their priority
    todo.forEach(function (t) {
      if (t.line || t.area) { return; }
      symbols.push({ b: symbolBox(t), p: t.p, t: t });
    });
    var placed = [];
    function inside(b) { return b[0] >= 0 && b[1] >= 0 && b[2] <= size.x && b[3] <= size.y; }
    function free(b, t, strict) {
      for (var j = 0; j < placed.length; j++) { if (overlaps(b, placed[j])) { return false; } }
      for (j = 0; j < symbols.length; j++) {
        var s = symbols[j];
        if (s.t !== t && (strict || s.p >= t.p) && overlaps(b, s.b)) { return false; }
      }
      return true;
    }
    var shown = [], shownText = Object.create(null);
    ctx.textBaseline = 'middle'; ctx.lineJoin = 'round';
    todo.forEach(function (t) {
      if (t.line) { placeLine(t); return; }
      var text = String(t.c.points.name[t.i]), x = t.c._xs[t.i], y = t.c._ys[t.i];
      var kind = (t.c.points.values.kind || [])[t.i];
      if (t.area) {
        ctx.font = AREA_FONTS[kind] || AREA_FONT;
        var wa = ctx.measureText(text).width, hb = kind === 'sea' ? 9 : 8;
        var box = [x - wa / 2 - 2, y - hb, x + wa / 2 + 2, y + hb];
        if (!inside(box) || !free(box, t, false)) { return; }
        placed.push(box); shownText[text] = true;
        shown.push({ text: text, box: box, layer: t.c.info.name, id: t.c.points.values.id[t.i], kind: 'area' });
        ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(223,233,242,0.9)';
        ctx.fillStyle = t.c._kindOf[t.i].color || '#2b5d8a';
        ctx.textAlign = 'center';
        ctx.strokeText(text, x, y); ctx.fillText(text, x, y);
        ctx.textAlign = 'start';
        return;
      }
      ctx.font = POINT_FONT;
      var w = ctx.measureText(text).width, sb = symbolBox(t);
      var cx = (sb[0] + sb[2]) / 2, cy = (sb[1] + sb[3]) / 2;
      var boxes = [[sb[2] + 3, cy - 7, sb[2] + 5 + w, cy + 7], [sb[0] - 5 - w, cy - 7, sb[0] - 3, cy + 7],
                   [cx - w / 2 - 1, sb[1] - 17, cx + w / 2 + 1, sb[1] - 3],
                   [cx - w / 2 - 1, sb[3] + 3, cx + w / 2 + 1, sb[3] + 17],
                   [sb[2] + 1, sb[1] - 15, sb[2] + 3 + w, sb[1] - 1], [sb[2] + 1, sb[3] + 1, sb[2] + 3 + w, sb[3] + 15],
                   [sb[0] - 3 - w, sb[1] - 15, sb[0] - 1, sb[1] - 1], [sb[0] - 3 - w, sb[3] + 1, sb[0] - 1, sb[3] + 15]];
      var strict = [true, false];
      for (var pass = 0; pass < strict.length; pass++) {
        for (var k = 0; k < boxes.length; k++) {
          var b = boxes[k];
          if (!inside(b) || !free(b, t, strict[pass])) { continue; }
          placed.push(b); shownText[text] = true;
          shown.push({ text: text, box: b, layer: t.c.info.name, id: t.c.points.values.id[t.i], kind: 'point' });
          ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.fillStyle = '#222';
          ctx.strokeText(text, b[0] + 1, (b[1] + b[3]) / 2); ctx.fillText(text, b[0] + 1, (b[1] + b[3]) / 2);
          return;
        }
      }
    });
    function placeLine(t) {
      var props = t.line.feature ? t.line.feature.properties : {};
      var text = shortName(props.name);
      if (shownText[text]) { return; }
      ctx.font = LINE_FONT;
      var w = ctx.measureText(text).width, parts = flatLatLngs(t.line), anchor = null, box = null;
      for (var k = 0; k < parts.length && !anchor; k++) {
        var tries = lineAnchor(map, parts[k], size, w) || [];
        for (var m = 0; m < tries.length && !anchor; m++) {
          var a = tries[m], c = Math.abs(Math.cos(a.angle)), s = Math.abs(Math.sin(a.angle)), h = 6;
          var hw = (w / 2) * c + h * s, hh = (w / 2) * s + h * c;
          var b = [a.x - hw, a.y - hh, a.x + hw, a.y + hh];
          if (inside(b) && free(b, t, true)) { anchor = a; box = b; }
        }
      }
      if (!anchor) { return; }
      placed.push(box); shownText[text] = true;
      shown.push({ text: text, box: box, layer: t.entry.info.name, id: props.id, kind: 'line',
                   angle: anchor.angle * 180 / Math.PI });
      ctx.save();
      ctx.translate(anchor.x, anchor.y); ctx.rotate(anchor.angle);
      ctx.textAlign = 'center';
      ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.fillStyle = t.entry.info.style.color || '#333';
      ctx.strokeText(text, 0, -5); ctx.fillText(text, 0, -5);  // just above the line
      ctx.restore();
    }
    NP.labelled = shown;
  };
}());
