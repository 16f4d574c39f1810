/* northpic location uncertainty: a thin dashed ring of radius precision_km around a point,
 * never filled (a filled disc reads as a zone), labelled with its radius ("±1000 km") where
 * the ring is large enough to carry the text. Called by the point canvas below its symbols.
 * The drawn rings are listed in northpic.rings (layer, index, centre, radius, text). */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var LABEL_FROM_PX = 28;   // rings smaller than this on screen carry no text
  var MAX_RING_LABELS = 300;

  NP.ringText = function (km) { return '\u00b1' + km + ' km'; };

  NP.drawRings = function (ctx, layer, xs, ys, vis, k, r) {
    var color = layer.info.style.color, kindOf = layer._kindOf, pr = layer._pr;
    var prec = layer.points.precision_km, drawn = [], labels = 0;
    var size = layer._map.getSize(), W = size.x, H = size.y, cx = W / 2, cy = H / 2;
    var diag = Math.sqrt(W * W + H * H);
    function onScreen(px, py) { return px > 20 && py > 8 && px < W - 20 && py < H - 8; }
    ctx.save();
    ctx.lineWidth = 1; ctx.setLineDash([4, 3]); ctx.globalAlpha = 0.75;
    for (var i = 0; i < layer.n; i++) {
      if (!vis[i] || !(pr[i] > 0) || kindOf[i].symbol === 'text') { continue; }
      var rp = pr[i] * k, x = xs[i], y = ys[i];
      if (rp < r + 2) { continue; }
      // the nearest and farthest the view's corners are from the centre: skip a ring that
      // misses the view or holds all of it
      var dx = Math.max(0 - x, 0, x - W), dy = Math.max(0 - y, 0, y - H);
      var far = Math.sqrt(Math.pow(Math.max(x, W - x), 2) + Math.pow(Math.max(y, H - y), 2));
      if (Math.sqrt(dx * dx + dy * dy) > rp || far < rp) { continue; }
      var toward = Math.atan2(cy - y, cx - x);
      ctx.strokeStyle = kindOf[i].color || color;
      ctx.beginPath();
      if (rp > 2 * diag) {  // a huge ring: only the arc that can be on screen
        var half = Math.min(Math.PI, 2 * diag / rp);
        ctx.arc(x, y, rp, toward - half, toward + half);
      } else { ctx.arc(x, y, rp, 0, 2 * Math.PI); }
      ctx.stroke();
      var ring = { layer: layer.info.name, index: i, x: x, y: y, r: rp, text: null, lx: null, ly: null };
      if (rp >= LABEL_FROM_PX && labels < MAX_RING_LABELS) {
        var lx = x, ly = y - rp;  // at the top, or where the ring comes nearest the view's centre
        if (!onScreen(lx, ly)) { lx = x + rp * Math.cos(toward); ly = y + rp * Math.sin(toward); }
        if (onScreen(lx, ly)) { ring.text = NP.ringText(prec[i]); ring.lx = lx; ring.ly = ly; labels++; }
      }
      drawn.push(ring);
    }
    ctx.setLineDash([]); ctx.globalAlpha = 1;
    ctx.font = '10px sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.lineWidth = 3; ctx.lineJoin = 'round';
    drawn.forEach(function (g) {
      if (!g.text) { return; }
      ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.fillStyle = kindOf[g.index].color || color;
      ctx.strokeText(g.text, g.lx, g.ly); ctx.fillText(g.text, g.lx, g.ly);
    });
    ctx.restore();
    NP.rings = (NP.rings || []).filter(function (g) { return g.layer !== layer.info.name; }).concat(drawn);
  };
}());
