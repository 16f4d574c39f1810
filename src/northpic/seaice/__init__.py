"""Sea-ice analytics on the standard Dataset: extent and area, the ice edge, route exposure.

Modules, one concern each (they take and return Datasets and frames, never paths):

* :mod:`~northpic.seaice.analysis` - extent, area, anomalies, monthly means;
* :mod:`~northpic.seaice.many` - compute a lazy result of many days with progress;
* :mod:`~northpic.seaice.edge` - the 15 % ice edge as valid EPSG:4326 polygons;
* :mod:`~northpic.seaice.routes` - share of each shipping route in ice;
* :mod:`~northpic.seaice.climatology` - the NSIDC 1981-2010 median extent.

The files are read by :mod:`northpic.io.seaice` (products, many daily files,
downloads), drawn by :mod:`northpic.render.seaice`, written by
:mod:`northpic.export.seaice`; :mod:`northpic.workflows.seaice` chains them
for the ``northpic seaice`` commands.

Nothing here is imported by ``import northpic``; import the module you need.
"""
