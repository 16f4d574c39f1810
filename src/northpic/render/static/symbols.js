/* northpic point symbols: APP-6 / MIL-STD-2525 symbols (drawn by milsymbol, inlined
 * in the page) for the kinds whose catalogue style has a `sidc`, and clear shapes in
 * colour-blind-safe colours for the others.
 *
 * Every symbol is drawn once into an offscreen canvas, cached per (code with its
 * standard identity, scale) or per (shape, colour, size, scale), and copied onto the
 * map with drawImage: 100,000 points cost 100,000 image copies, not 100,000 symbol
 * renderings. Nothing here reads or writes HTML: text goes in with textContent. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var S = NP.symbols = {};
  /* the standard identity digit (the SIDC's fourth) of each affiliation, and its words */
  S.IDENTITY = { pending: '0', unknown: '1', assumed_friend: '2', friend: '3',
                 neutral: '4', suspect: '5', hostile: '6' };
  S.ORDER = ['friend', 'assumed_friend', 'neutral', 'unknown', 'pending', 'suspect', 'hostile'];
  /* milsymbol's options for every symbol on the map (the tests render the reference
   * symbols with the same options in Node) */
  S.OPTIONS = { size: 20, standard: 'APP6', outlineWidth: 2, outlineColor: 'rgb(255,255,255)' };
  var cache = Object.create(null);

  S.available = function () { return typeof window.ms !== 'undefined' && !!window.ms.Symbol; };

  // the code drawn for one kind and affiliation (unknown when the record has none)
  S.code = function (sidc, affiliation) {
    var digit = S.IDENTITY[affiliation] || S.IDENTITY.unknown;
    return sidc.slice(0, 3) + digit + sidc.slice(4);
  };

  function ratio() { return window.devicePixelRatio || 1; }

  /* A standard symbol is milsymbol's SVG (the markup the reference renderer gives),
   * rasterised once by the browser into a canvas. Images decode asynchronously: the page
   * says it is ready (window.northpicReady) only when every symbol it draws is. */
  var pending = 0, waiting = [];
  S.options = function (scale) {
    var opts = {}; for (var o in S.OPTIONS) { opts[o] = S.OPTIONS[o]; }
    opts.size = S.OPTIONS.size * scale;
    return opts;
  };
  S.svg = function (code, scale) { return new window.ms.Symbol(code, S.options(scale)).asSVG(); };
  function settle() {
    if (pending > 0) { return; }
    (NP.order || []).forEach(function (name) {
      var c = NP.layers[name].canvas;
      if (c && c._map) { c._redraw(); }
    });
    var todo = waiting; waiting = [];
    todo.forEach(function (fn) { fn(); });
  }
  // run fn once every symbol asked for so far is drawn (at once if none is pending)
  S.whenReady = function (fn) { if (pending > 0) { waiting.push(fn); } else { fn(); } };
  function milIcon(code, scale) {
    var key = 'M' + code + '@' + scale;
    if (cache[key]) { return cache[key]; }
    var sym = new window.ms.Symbol(code, S.options(scale)), size = sym.getSize(), anchor = sym.getAnchor();
    var k = ratio(), canvas = document.createElement('canvas');
    canvas.width = Math.ceil(size.width * k); canvas.height = Math.ceil(size.height * k);
    var icon = { canvas: canvas, w: canvas.width / k, h: canvas.height / k,
                 ax: anchor.x, ay: anchor.y, code: code, ready: false, then: [] };
    // the radius labels and clicks keep clear of: half the frame's larger side
    icon.r = Math.max(size.width, size.height) / 2;
    cache[key] = icon;
    var img = new Image();
    pending++;
    img.onload = img.onerror = function () {
      if (img.naturalWidth) { canvas.getContext('2d').drawImage(img, 0, 0, size.width * k, size.height * k); }
      icon.ready = true;
      icon.then.forEach(function (fn) { fn(); }); icon.then = [];
      pending--; settle();
    };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(sym.asSVG());
    return icon;
  }
  function whenIcon(icon, fn) { if (icon.ready === false) { icon.then.push(fn); } else { fn(); } }
  S.pending = function () { return pending; };
  S.cacheKeys = function () { return Object.keys(cache); };

  /* ---- shapes for kinds without a symbol code ---------------------------- */
  function polygon(ctx, x, y, r, n, rot) {
    for (var i = 0; i < n; i++) {
      var a = rot + 2 * Math.PI * i / n;
      if (i === 0) { ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a)); }
      else { ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a)); }
    }
    ctx.closePath();
  }
  // the outline of `symbol` around (x, y), radius r (the canvas path only)
  S.path = function (ctx, symbol, x, y, r) {
    ctx.beginPath();
    if (symbol === 'square') {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (symbol === 'diamond') {
      polygon(ctx, x, y, r * 1.3, 4, -Math.PI / 2);
    } else if (symbol === 'triangle') {
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.2, y + r); ctx.lineTo(x - r * 1.2, y + r);
      ctx.closePath();
    } else if (symbol === 'triangle_down') {
      ctx.moveTo(x, y + r * 1.3); ctx.lineTo(x + r * 1.2, y - r); ctx.lineTo(x - r * 1.2, y - r);
      ctx.closePath();
    } else if (symbol === 'hexagon') {
      polygon(ctx, x, y, r * 1.15, 6, 0);
    } else if (symbol === 'pentagon') {
      polygon(ctx, x, y, r * 1.2, 5, -Math.PI / 2);
    } else if (symbol === 'cross') {
      var a = r * 1.25, b = r * 0.42;
      ctx.moveTo(x - b, y - a); ctx.lineTo(x + b, y - a); ctx.lineTo(x + b, y - b);
      ctx.lineTo(x + a, y - b); ctx.lineTo(x + a, y + b); ctx.lineTo(x + b, y + b);
      ctx.lineTo(x + b, y + a); ctx.lineTo(x - b, y + a); ctx.lineTo(x - b, y + b);
      ctx.lineTo(x - a, y + b); ctx.lineTo(x - a, y - b); ctx.lineTo(x - b, y - b);
      ctx.closePath();
    } else if (symbol === 'star') {
      for (var i = 0; i < 10; i++) {
        var rr = i % 2 ? r * 0.5 : r * 1.35, ang = Math.PI / 5 * i - Math.PI / 2;
        if (i === 0) { ctx.moveTo(x + rr * Math.cos(ang), y + rr * Math.sin(ang)); }
        else { ctx.lineTo(x + rr * Math.cos(ang), y + rr * Math.sin(ang)); }
      }
      ctx.closePath();
    } else {  // circle, and the ring of a bullseye
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  };

  function shapeIcon(ks, scale, outline) {
    var r = Math.max(1.5, ks.radius * scale);
    var key = 'S' + ks.symbol + '|' + ks.color + '|' + (ks.hollow ? 1 : 0) + '|' + r + '|' + outline;
    if (cache[key]) { return cache[key]; }
    var half = Math.ceil(r * 1.4 + 3), k = ratio(), canvas = document.createElement('canvas');
    canvas.width = canvas.height = 2 * half * k;
    var ctx = canvas.getContext('2d');
    ctx.setTransform(k, 0, 0, k, 0, 0);
    ctx.lineJoin = 'round';
    if (ks.symbol === 'bullseye') {  // a dot inside a ring: cities
      S.path(ctx, 'circle', half, half, r);
      ctx.fillStyle = '#ffffff'; ctx.fill();
      ctx.lineWidth = Math.max(1, r * 0.35); ctx.strokeStyle = ks.color; ctx.stroke();
      S.path(ctx, 'circle', half, half, r * 0.45); ctx.fillStyle = ks.color; ctx.fill();
    } else if (ks.hollow) {  // an outline on white: prospects, villages
      S.path(ctx, ks.symbol, half, half, r);
      ctx.fillStyle = '#ffffff'; ctx.fill();
      ctx.lineWidth = Math.max(1, r * 0.35); ctx.strokeStyle = ks.color; ctx.stroke();
    } else {
      S.path(ctx, ks.symbol, half, half, r);
      ctx.fillStyle = ks.color; ctx.fill();
      if (outline) { ctx.lineWidth = 1; ctx.strokeStyle = '#ffffff'; ctx.stroke(); }
    }
    var icon = { canvas: canvas, w: 2 * half, h: 2 * half, ax: half, ay: half, r: r };
    cache[key] = icon;
    return icon;
  }

  // the icon a kind style draws at `scale` (1 = the default size)
  S.icon = function (ks, scale, outline) {
    var memo = ks._icons || (ks._icons = Object.create(null)), key = scale + (outline === false ? '-' : '+');
    if (memo[key]) { return memo[key]; }  // per kind style: no key built per point
    memo[key] = ks.sidc && S.available() ? milIcon(S.code(ks.sidc, ks.affiliation), scale)
      : shapeIcon(ks, scale, outline !== false);
    return memo[key];
  };

  // called by northpic.kindStyle: a coded kind is as large as its symbol (labels and
  // clicks keep clear of all of it)
  S.prepare = function (ks) {
    if (ks.sidc) {
      if (!S.available()) { throw new Error('northpic: the symbol library (milsymbol) is missing from the page'); }
      var icon = milIcon(S.code(ks.sidc, ks.affiliation), 1);
      ks.radius = icon.r;
      ks.box = [-icon.ax, -icon.ay, icon.w - icon.ax, icon.h - icon.ay];  // about the anchor
    }
    return ks;
  };

  // copy a kind's icon onto the map canvas, its anchor at (x, y), on whole pixels so
  // the map shows exactly the cached icon
  S.draw = function (ctx, ks, x, y, scale, outline) {
    var icon = S.icon(ks, scale, outline);
    if (icon.ready === false) { return; }  // drawn when it has decoded (settle redraws)
    var alpha = ctx.globalAlpha;
    if (ks.sidc) { ctx.globalAlpha = 1; }  // standard symbols are opaque
    ctx.drawImage(icon.canvas, Math.round(x - icon.ax), Math.round(y - icon.ay), icon.w, icon.h);
    ctx.globalAlpha = alpha;
  };

  // a legend swatch: a small canvas showing the kind's own icon
  S.swatch = function (ks) {
    var icon = S.icon(ks, ks.sidc ? 0.8 : 1), k = ratio(), c = document.createElement('canvas');
    c.className = 'np-swatch np-swatch-icon';
    c.width = icon.canvas.width; c.height = icon.canvas.height;
    c.style.width = icon.w + 'px'; c.style.height = icon.h + 'px';
    whenIcon(icon, function () { c.getContext('2d').drawImage(icon.canvas, 0, 0); });
    if (ks.sidc) { c.setAttribute('data-sidc', S.code(ks.sidc, ks.affiliation)); }
    return c;
  };

  // the affiliations of the coded points on the map, in S.ORDER
  S.affiliationsShown = function () {
    var seen = Object.create(null);
    (NP.order || []).forEach(function (name) {
      var c = NP.layers[name].canvas;
      if (!c || !c.styleOf) { return; }
      Object.keys(c.styleOf).forEach(function (key) {
        var ks = c.styleOf[key];
        if (ks.sidc) { seen[ks.affiliation || 'unknown'] = true; }
      });
    });
    return S.ORDER.filter(function (a) { return seen[a]; });
  };

  // the legend's line on symbols: which perspective gives the affiliations, and a frame
  // for each affiliation shown
  S.legend = function (perspective) {
    var box = document.createElement('div');
    box.className = 'np-perspective';
    if (!perspective) { return box; }
    box.setAttribute('data-perspective', perspective.name);
    var head = document.createElement('div');
    head.className = 'np-perspective-title';
    head.textContent = 'Symbols: APP-6 (MIL-STD-2525D) \u00b7 perspective: ' + perspective.title;
    head.title = perspective.about || '';
    box.appendChild(head);
    var list = document.createElement('div');
    list.className = 'np-affiliations';
    S.affiliationsShown().forEach(function (aff) {
      var item = document.createElement('span');
      item.className = 'np-affiliation';
      item.setAttribute('data-affiliation', aff);
      // the frame alone: an installation-free land symbol of that identity
      item.appendChild(S.swatch({ sidc: '10011000000000000000', affiliation: aff }));
      var text = document.createElement('span');
      text.textContent = aff.replace(/_/g, ' ');
      item.appendChild(text);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  };
}());
