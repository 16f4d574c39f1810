/* Leaflet CRS for EPSG:3413, NSIDC Sea Ice Polar Stereographic North (WGS 84,
 * latitude of true scale 70 N, central meridian 45 W), after Snyder (1987),
 * "Map Projections: A Working Manual", eqs. 15-9, 21-33 to 21-40, 7-9.
 * northpic's tests compare it with pyproj. Defined before folium's map script,
 * which refers to it as L.CRS.EPSG3413. */
(function () {
  'use strict';
  var a = 6378137.0, f = 1 / 298.257223563;
  var e = Math.sqrt(2 * f - f * f);
  var phiC = 70 * Math.PI / 180, lam0 = -45 * Math.PI / 180;
  var d2r = Math.PI / 180, r2d = 180 / Math.PI;
  function tFun(phi) {
    var s = e * Math.sin(phi);
    return Math.tan(Math.PI / 4 - phi / 2) / Math.pow((1 - s) / (1 + s), e / 2);
  }
  var mC = Math.cos(phiC) / Math.sqrt(1 - e * e * Math.sin(phiC) * Math.sin(phiC));
  var tC = tFun(phiC);
  var R = 9000000; // half-width of the projected square Leaflet tiles over, metres
  var projection = {
    bounds: L.bounds([-R, -R], [R, R]),
    project: function (latlng) {
      var phi = Math.max(Math.min(latlng.lat, 90), -89.9) * d2r;
      var rho = a * mC * tFun(phi) / tC;
      var dl = latlng.lng * d2r - lam0;
      return new L.Point(rho * Math.sin(dl), -rho * Math.cos(dl));
    },
    unproject: function (point) {
      var rho = Math.sqrt(point.x * point.x + point.y * point.y);
      var t = rho * tC / (a * mC);
      var phi = Math.PI / 2 - 2 * Math.atan(t);
      for (var i = 0; i < 15; i++) {
        var s = e * Math.sin(phi);
        var next = Math.PI / 2 - 2 * Math.atan(t * Math.pow((1 - s) / (1 + s), e / 2));
        if (Math.abs(next - phi) < 1e-12) { phi = next; break; }
        phi = next;
      }
      var lam = rho === 0 ? lam0 : lam0 + Math.atan2(point.x, -point.y);
      var lng = lam * r2d;
      lng = ((lng + 540) % 360) - 180;
      return new L.LatLng(phi * r2d, lng);
    }
  };
  L.CRS.EPSG3413 = L.Util.extend({}, L.CRS.Earth, {
    code: 'EPSG:3413',
    projection: projection,
    transformation: new L.Transformation(1 / (2 * R), 0.5, -1 / (2 * R), 0.5),
    scale: function (zoom) { return 256 * Math.pow(2, zoom); },
    zoom: function (scale) { return Math.log(scale / 256) / Math.LN2; },
    infinite: false,
    wrapLng: undefined,
    wrapLat: undefined
  });
}());
