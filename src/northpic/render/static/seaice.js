/* northpic sea-ice overlay: a concentration image placed by its corners in the
 * map's projected coordinates (EPSG:3413 or EPSG:3857 metres), the 15 % edge
 * as a line, and a legend with the colour scale. Text goes in by textContent. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};

  var ProjectedImage = L.Layer.extend({
    initialize: function (url, box, opacity) {
      this._url = url; this._box = box; this._opacity = opacity;
    },
    onAdd: function (map) {
      this._map = map;
      var img = this._img = L.DomUtil.create('img', 'leaflet-image-layer leaflet-zoom-hide np-seaice-image');
      img.src = this._url;
      img.alt = '';
      img.style.opacity = this._opacity;
      img.style.imageRendering = 'pixelated';
      map.getPane('np-seaice').appendChild(img);
      map.on('zoomend viewreset moveend resize', this._reset, this);
      this._reset();
    },
    onRemove: function (map) {
      map.off('zoomend viewreset moveend resize', this._reset, this);
      L.DomUtil.remove(this._img);
    },
    _reset: function () {
      var map = this._map, crs = map.options.crs, s = crs.scale(map.getZoom());
      var origin = map.getPixelOrigin(), b = this._box;
      var tl = crs.transformation.transform(L.point(b[0], b[3]), s).subtract(origin);
      var br = crs.transformation.transform(L.point(b[2], b[1]), s).subtract(origin);
      L.DomUtil.setPosition(this._img, tl);
      this._img.style.width = (br.x - tl.x) + 'px';
      this._img.style.height = (br.y - tl.y) + 'px';
    }
  });

  NP.addSeaice = function (map, info) {
    if (!map.getPane('np-seaice')) { map.createPane('np-seaice').style.zIndex = 240; }
    var group = L.layerGroup();
    var image = new ProjectedImage(info.image, info.box, info.opacity);
    group.addLayer(image);
    var edge = L.geoJSON(info.edge, {
      pane: 'overlayPane', interactive: false,
      style: { color: info.edge_color, weight: 2, opacity: 0.95 }
    });
    group.addLayer(edge);
    group.addTo(map);
    var Legend = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var box = L.DomUtil.create('div', 'np-control np-seaice-legend');
        L.DomEvent.disableClickPropagation(box);
        var label = L.DomUtil.create('label', 'np-layer-toggle', box);
        var check = L.DomUtil.create('input', '', label);
        check.type = 'checkbox'; check.checked = true;
        check.setAttribute('data-layer', 'seaice-observed');
        check.addEventListener('change', function () {
          if (check.checked) { group.addTo(map); } else { map.removeLayer(group); }
        });
        L.DomUtil.create('span', '', label).textContent = info.title;
        var bar = L.DomUtil.create('div', 'np-seaice-bar', box);
        bar.style.height = '10px'; bar.style.margin = '4px 0 2px';
        bar.style.background = 'linear-gradient(to right,' + info.ramp.join(',') + ')';
        var ticks = L.DomUtil.create('div', 'np-seaice-ticks', box);
        ticks.style.display = 'flex'; ticks.style.justifyContent = 'space-between';
        info.ticks.forEach(function (t) { L.DomUtil.create('span', '', ticks).textContent = t; });
        L.DomUtil.create('div', 'np-seaice-note', box).textContent = info.note;
        L.DomUtil.create('div', 'np-sources', box).textContent = 'Source: ' + info.source;
        return box;
      }
    });
    new Legend().addTo(map);
    NP.seaice = { group: group, image: image, edge: edge, info: info };
    window.northpicSeaiceReady = true;
  };
}());
