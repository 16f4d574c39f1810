/* northpic live map: follow the server's change feed (Server-Sent Events) and
 * draw new, replaced and removed events without a reload.
 *
 * Settings come in window.northpicLive: {feed: URL, version: string}. Each
 * message is JSON: {version, upsert: [GeoJSON Feature], remove: [id],
 * reset: bool, marking: {banner, colour, releasability}}. A record replaced
 * or removed since the page was made is withdrawn from the page's own layers
 * (northpic.withdrawn) and drawn, if still there, in the "Live updates"
 * layer. Text from data goes in with textContent only. */
(function () {
  'use strict';
  var NP = window.northpic, cfg = window.northpicLive;
  if (!NP || !cfg || !window.EventSource) { return; }
  var map = NP.map, layers = Object.create(null), rows = Object.create(null);
  var info = { name: 'live', title: 'Live updates', attributes: [], caveat: null };
  var group = L.layerGroup().addTo(map);
  var box = document.createElement('div');
  box.id = 'np-live';
  box.className = 'np-live leaflet-bar';
  var status = document.createElement('div');
  status.id = 'np-live-status';
  status.setAttribute('data-state', 'connecting');
  status.textContent = 'Live updates: connecting';
  var list = document.createElement('ul');
  list.id = 'np-live-list';
  box.appendChild(status);
  box.appendChild(list);
  var Control = L.Control.extend({ onAdd: function () {
    L.DomEvent.disableClickPropagation(box);
    return box;
  } });
  new Control({ position: 'bottomleft' }).addTo(map);

  function withdraw(id) { NP.withdrawn[id] = true; }

  function drop(id) {
    if (layers[id]) { group.removeLayer(layers[id]); delete layers[id]; }
    if (rows[id]) { rows[id].parentNode.removeChild(rows[id]); delete rows[id]; }
  }

  function draw(feature) {
    var p = feature.properties || {}, id = String(p.id);
    drop(id);
    withdraw(id);
    var layer = L.geoJSON(feature, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: '#b00020', weight: 2,
                                        fillColor: '#ffcc00', fillOpacity: 0.9,
                                        className: 'np-live-feature' });
      },
      style: function () {
        return { color: '#b00020', weight: 2, fillOpacity: 0.2, className: 'np-live-feature' };
      },
      onEachFeature: function (f, l) {
        l.on('click', function (e) {
          L.DomEvent.stopPropagation(e);
          L.popup({ maxWidth: 360 }).setLatLng(e.latlng)
            .setContent(NP.popupContent(info, f.properties, e.latlng)).openOn(map);
        });
      }
    });
    layers[id] = layer;
    group.addLayer(layer);
    var li = document.createElement('li');
    li.setAttribute('data-id', id);
    li.textContent = (p.name || id) + ' \u00b7 ' + (p.kind || '') + ' \u00b7 ' + (p.time || '');
    list.insertBefore(li, list.firstChild);
    rows[id] = li;
  }

  function mark(marking) {
    if (!marking) { return; }
    ['np-marking-top', 'np-marking-bottom'].forEach(function (name) {
      var banner = document.getElementById(name);
      if (!banner) { return; }
      banner.textContent = marking.banner;
      banner.setAttribute('data-releasability', marking.releasability);
      if (/^#[0-9a-fA-F]{6}$/.test(marking.colour || '')) { banner.style.background = marking.colour; }
    });
  }

  function apply(message) {
    if (message.reset) {  // the page is older than the feed: every record comes again
      NP.order.forEach(function (name) {
        var entry = NP.layers[name], ids = entry.data.points && entry.data.points.values.id;
        (ids || []).forEach(withdraw);
        ((entry.data.shapes && entry.data.shapes.features) || []).forEach(function (f) {
          withdraw(f.properties.id);
        });
      });
      Object.keys(layers).forEach(drop);
    }
    (message.remove || []).forEach(function (id) { withdraw(id); drop(id); });
    (message.upsert || []).forEach(draw);
    mark(message.marking);
    NP.setTime(NP.time);  // redraw the page's layers without the withdrawn records
    NP.liveVersion = message.version;
    NP.liveMessages = (NP.liveMessages || 0) + 1;
  }

  var source = new EventSource(cfg.feed + '?version=' + encodeURIComponent(cfg.version));
  source.onopen = function () {
    status.setAttribute('data-state', 'open');
    status.textContent = 'Live updates: connected';
  };
  source.onerror = function () {
    status.setAttribute('data-state', 'retrying');
    status.textContent = 'Live updates: reconnecting';
  };
  source.onmessage = function (e) {
    var message;
    try { message = JSON.parse(e.data); } catch (err) { return; }
    apply(message);
  };
  NP.live = { source: source, apply: apply };
}());
