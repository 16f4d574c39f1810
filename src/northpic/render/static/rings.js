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
    ctx.save();
    ctx.lineWidth = 1; ctx.setLineDash([4, 3]); ctx.globalAlpha = 0.75;
    for (var i = 0; i < layer.n; i++) {
      if (!vis[i] || !(pr[i] > 0) || kindOf[i].symbol === 'text') { continue; }
      var rp = pr[i] * k;
      if (rp < r + 2) { continue; }
      ctx.strokeStyle = kindOf[i].color || color;
      ctx.beginPath(); ctx.arc(xs[i], ys[i], rp, 0, 2 * Math.PI); ctx.stroke();
      var ring = { layer: layer.info.name, index: i, x: xs[i], y: ys[i], r: rp, text: null };
      if (rp >= LABEL_FROM_PX && labels < MAX_RING_LABELS) { ring.text = NP.ringText(prec[i]); labels++; }
      drawn.push(ring);
    }
    ctx.setLineDash([]); ctx.globalAlpha = 1;
    ctx.font = '10px sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.lineWidth = 3; ctx.lineJoin = 'round';
    drawn.forEach(function (g) {
      if (!g.text) { return; }
      ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.fillStyle = kindOf[g.index].color || color;
      ctx.strokeText(g.text, g.x, g.y - g.r); ctx.fillText(g.text, g.x, g.y - g.r);
    });
    ctx.restore();
    NP.rings = (NP.rings || []).filter(function (g) { return g.layer !== layer.info.name; }).concat(drawn);
  };
}());
