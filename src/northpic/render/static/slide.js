/* northpic slide layout: the page turned into one briefing slide of an extent.
 *
 * northpic.slide({extent, title, dtg}) hides every interactive control, keeps the
 * marking banners, adds a title block with the date-time group, fits the map to the
 * extent (lat/lon bounds, which may cross the antimeridian) in the page's own
 * projection, and draws a legend of only the kinds shown, the north arrow and scale
 * at the map centre (measure.js), and a line of the sources of what is shown.
 * Data text goes in with textContent only. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var LEGEND_WIDTH = 320, PAD = 14;
  NP.SLIDE_TITLE_MARK = ' - northpic slide';  // export/page.py PDF_MARKER

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function height(id) { var n = document.getElementById(id); return n ? n.getBoundingClientRect().height : 0; }

  // the extent's outline, sampled, in the map's projected coordinates
  function extentBox(map, x) {
    var crs = map.options.crs, east = x.east > x.west ? x.east : x.east + 360, box = null, n = 90;
    function add(lat, lng) {
      var p = crs.projection.project(L.latLng(lat, lng));
      box = box ? box.extend(p) : L.bounds(p, p);
    }
    for (var i = 0; i <= n; i++) {
      var lng = x.west + (east - x.west) * i / n;
      add(x.south, lng); add(x.north, lng);
    }
    for (i = 0; i <= n; i++) {
      var lat = x.south + (x.north - x.south) * i / n;
      add(lat, x.west); add(lat, east);
    }
    return box;
  }

  // what the current view shows: per layer, whether anything, which kinds, which sources
  function shown(map) {
    var size = map.getSize(), out = [];
    function inside(x, y) { return x >= 0 && y >= 0 && x <= size.x && y <= size.y; }
    NP.order.forEach(function (name) {
      var entry = NP.layers[name], kinds = {}, sources = [], any = false;
      if (!map.hasLayer(entry.group)) { return; }
      var c = entry.canvas;
      if (c && c._map && c._xs) {
        var kindCol = c.points.values.kind, srcCol = c.points.values.source;
        for (var i = 0; i < c.n; i++) {
          if (!c.visible[i] || !inside(c._xs[i], c._ys[i])) { continue; }
          any = true;
          if (kindCol) { kinds[kindCol[i]] = true; }
          sources.push(c.props(i));
        }
      }
      if (entry.shapes) {
        entry.shapes.eachLayer(function (layer) {
          var f = layer.feature, box = null;
          if (!f || !f.geometry) { return; }
          (function walk(co) {
            if (typeof co[0] === 'number') {
              var p = map.latLngToContainerPoint([co[1], co[0]]);
              box = box ? box.extend(p) : L.bounds(p, p);
            } else { co.forEach(walk); }
          }(f.geometry.coordinates));
          if (!box || box.max.x < 0 || box.max.y < 0 || box.min.x > size.x || box.min.y > size.y) { return; }
          any = true;
          if (f.properties.kind !== undefined) { kinds[f.properties.kind] = true; }
          sources.push(f.properties);
        });
      }
      if (any) { out.push({ entry: entry, kinds: kinds, records: sources }); }
    });
    return out;
  }

  // a swatch like the layer panel's: its own node cloned when the panel has one
  function layerSwatch(entry) {
    var box = document.querySelector('.np-layers input[data-layer="' + CSS.escape(entry.info.name) + '"]');
    var sw = box && box.parentNode.querySelector('.np-swatch');
    if (sw) { return sw.cloneNode(true); }
    var st = entry.info.style;
    var made = el('span', 'np-swatch np-sym-' + (st.symbol || (entry.info.geometry === 'line' ? 'line' : 'area')));
    made.style.color = st.color;
    return made;
  }
  function kindItems(entry, kinds) {
    var keys = NP.kindKeys(entry), items = [];
    if (keys.length < 2) { return items; }
    var panel = document.querySelectorAll('.np-kinds[data-layer="' + CSS.escape(entry.info.name) + '"] .np-kind');
    keys.forEach(function (k, j) {
      if (!kinds[k.kind]) { return; }
      var item;
      if (panel.length === keys.length) { item = panel[j].cloneNode(true); } else {
        item = el('span', 'np-kind');
        var sw = el('span', 'np-swatch np-sym-' + k.style.symbol); sw.style.color = k.style.color;
        item.appendChild(sw); item.appendChild(el('span', null, k.kind.replace(/_/g, ' ')));
      }
      item.setAttribute('data-kind', k.kind);
      items.push(item);
    });
    return items;
  }
  function legend(seen) {
    var box = el('div', 'np-slide-legend');
    box.appendChild(el('div', 'np-slide-legend-title', 'Legend'));
    seen.forEach(function (s) {
      var row = el('div', 'np-slide-layer'); row.setAttribute('data-layer', s.entry.info.name);
      var head = el('div', 'np-slide-layer-head');
      head.appendChild(layerSwatch(s.entry)); head.appendChild(el('span', null, s.entry.info.title));
      if (s.entry.info.caveat_short) { head.appendChild(el('span', 'np-tag', s.entry.info.caveat_short)); }
      row.appendChild(head);
      var items = kindItems(s.entry, s.kinds);
      if (items.length) {
        var list = el('div', 'np-kinds'); list.setAttribute('data-layer', s.entry.info.name);
        items.forEach(function (i) { list.appendChild(i); });
        row.appendChild(list);
      }
      box.appendChild(row);
    });
    // what the page legend says beyond the layers (perspective, keys), as it says it
    ['.np-legend .np-perspective', '.np-legend .np-keys'].forEach(function (sel) {
      var node = document.querySelector(sel);
      if (node) { box.appendChild(node.cloneNode(true)); }
    });
    return box;
  }

  // the citations of what is shown: the page's own citation hook where it has one
  function citations(seen) {
    var out = [], have = Object.create(null);
    function add(text) {
      text = String(text).trim();
      if (text && !have[text]) { have[text] = true; out.push(text); }
    }
    seen.forEach(function (s) {
      s.records.forEach(function (props) {
        if (NP.citationsOf) { NP.citationsOf(props).forEach(add); return; }
        if (props.source) { String(props.source).split(';').forEach(add); }
      });
    });
    return out;
  }
  function sourcesLine(node, list, base, maxHeight) {
    node.textContent = '';
    node.appendChild(el('span', 'np-slide-sources-head', 'Sources: '));
    var text = el('span', 'np-slide-sources-text'); node.appendChild(text);
    var all = list.concat(base ? [base] : []), shownN = all.length;
    function fill(n) {
      text.textContent = all.slice(0, n).join('; ') +
        (n < all.length ? '; and ' + (all.length - n) + ' more (see the HTML map)' : '');
    }
    fill(shownN);
    while (shownN > 0 && node.scrollHeight > maxHeight) { shownN--; fill(shownN); }
    node.setAttribute('data-count', String(all.length));
  }

  NP.slide = function (opts) {
    var map = NP.measure.map, x = opts.extent, page = NP.page || {};
    var W = window.innerWidth, H = window.innerHeight;
    map.closePopup(); map.closeTooltip && map.eachLayer(function (l) { if (l.closeTooltip) { l.closeTooltip(); } });
    document.documentElement.classList.add('np-slide-mode');
    document.title = opts.title + NP.SLIDE_TITLE_MARK;  // a PDF's /Title: northpic's mark
    ['np-slide-title', 'np-slide-legend', 'np-slide-sources', 'np-slide-orient'].forEach(function (id) {
      var old = document.getElementById(id); if (old) { old.remove(); }
    });
    var top = height('np-marking-top'), bottom = height('np-marking-bottom');

    // title block
    var head = el('div', 'np-slide-title'); head.id = 'np-slide-title'; head.style.top = top + 'px';
    var left = el('div', 'np-slide-title-left');
    left.appendChild(el('div', 'np-slide-title-text', opts.title));
    left.appendChild(el('div', 'np-slide-extent', x.label));
    var right = el('div', 'np-slide-title-right');
    right.appendChild(el('div', 'np-slide-dtg', 'DTG ' + opts.dtg));
    right.appendChild(el('div', 'np-slide-asof', 'Picture as of ' + (page.date || '') +
                         (page.projection ? ' \u00b7 ' + page.projection : '')));
    if (page.marking) { right.appendChild(el('div', 'np-slide-prepared', 'Prepared for: ' + page.marking.prepared_for)); }
    head.appendChild(left); head.appendChild(right);
    document.body.appendChild(head);
    var foot = el('div', 'np-slide-sources'); foot.id = 'np-slide-sources'; foot.style.bottom = bottom + 'px';
    document.body.appendChild(foot);
    foot.textContent = 'Sources:';
    var headH = head.getBoundingClientRect().height, footH = 3 * 15 + 8;  // room for three lines

    // the map in what is left, fitted to the extent
    var container = map.getContainer();
    container.style.position = 'fixed'; container.style.left = '0'; container.style.width = 'auto';
    container.style.right = LEGEND_WIDTH + 'px'; container.style.height = 'auto';
    container.style.top = (top + headH) + 'px'; container.style.bottom = (bottom + footH) + 'px';
    map.invalidateSize({ animate: false, pan: false });
    var size = map.getSize(), box = extentBox(map, x);
    map.options.zoomSnap = 0;
    var zoom = NP.measure.zoomFor(map, box, size.x - 2 * PAD, size.y - 2 * PAD);
    map.setView(map.options.crs.projection.unproject(box.getCenter()), zoom, { animate: false });

    // legend, orientation, sources of what the view shows
    var seen = shown(map);
    var leg = legend(seen); leg.id = 'np-slide-legend';
    leg.style.top = (top + headH) + 'px'; leg.style.bottom = (bottom + footH) + 'px';
    leg.style.width = LEGEND_WIDTH + 'px';
    document.body.appendChild(leg);
    var orient = el('div', 'np-slide-orient'); orient.id = 'np-slide-orient';
    orient.style.bottom = (bottom + footH + 10) + 'px';
    var north = NP.measure.northArrow(), scale = NP.measure.scaleBar();
    orient.appendChild(north); orient.appendChild(scale);
    document.body.appendChild(orient);
    NP.measure.updateNorth(map, north); NP.measure.updateScale(map, scale, 160);
    sourcesLine(foot, citations(seen), page.sources, footH);

    var controls = Array.prototype.filter.call(
      document.querySelectorAll('.leaflet-control, input, button, select, textarea'),
      function (n) { return n.getClientRects().length > 0; });
    window.northpicSlideReady = true;
    return {
      zoom: map.getZoom(), center: [map.getCenter().lat, map.getCenter().lng],
      layers: seen.map(function (s) { return { name: s.entry.info.name, kinds: Object.keys(s.kinds) }; }),
      visible_controls: controls.map(function (n) { return n.className || n.tagName; })
    };
  };
}());
