"""Sea ice from the real products: readers, extent and area, the ice edge, route exposure.

Modules, one concern each:

* :mod:`~northpic.seaice.grid` - NSIDC grids and true cell areas;
* :mod:`~northpic.seaice.products` - recognise and read G02202, NSIDC-0051/0081,
  OSI SAF, lat/lon grids (G10010) and Sea Ice Index files into one standard Dataset;
* :mod:`~northpic.seaice.analysis` - extent, area, anomalies, monthly means;
* :mod:`~northpic.seaice.many` - thousands of daily files as one lazy Dataset;
* :mod:`~northpic.seaice.edge` - the 15 % ice edge as valid EPSG:4326 polygons;
* :mod:`~northpic.seaice.routes` - share of each shipping route in ice;
* :mod:`~northpic.seaice.climatology` - the NSIDC 1981-2010 median edge;
* :mod:`~northpic.seaice.overlay` - concentration and edge on the map;
* :mod:`~northpic.seaice.export` - edge and concentration files;
* :mod:`~northpic.seaice.fetch` - download and cache NSIDC daily files.

Nothing here is imported by ``import northpic``; import the module you need.
"""
