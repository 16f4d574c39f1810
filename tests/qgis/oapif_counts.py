"""Open every collection of an OGC API - Features service in QGIS, headless, and count features.

Run with Debian's ``/usr/bin/python3`` (which has ``python3-qgis``), not the
project's venv::

    QT_QPA_PLATFORM=offscreen python3 oapif_counts.py http://127.0.0.1:8000 \
        [west,south,east,north] [page size] [token]

With a token, every request QGIS makes carries ``Authorization: Bearer
<token>`` (QGIS 3.22 takes no header in a layer's URI, so the script adds it
through QGIS's network request preprocessor, as a plugin would).

Prints one JSON object: per collection, whether QGIS could open it, the
provider's ``featureCount()``, how many features iterating the layer
returns, their ids, and (with a box, in EPSG:4326 lon/lat) how many
features QGIS returns for the box as its extent filter (on a fresh layer, so
that QGIS asks the server with ``bbox``).
"""

import json
import os
import sys
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)


def collection_ids(url, token):
    request = urllib.request.Request(url + "/collections", headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return [c["id"] for c in json.load(answer)["collections"]]


def open_layer(url, name, page_size):
    uri = f"url='{url}' typename='{name}' pagingEnabled='true' pageSize='{page_size}'"
    return QgsVectorLayer(uri, name, "OAPIF")


def describe(url, box, page_size, token):
    out = {"qgis": Qgis.QGIS_VERSION}
    for name in collection_ids(url, token):
        layer = open_layer(url, name, page_size)
        info = {"valid": layer.isValid()}
        if layer.isValid():
            ids = [str(f["id"]) for f in layer.getFeatures()]
            info.update({"featureCount": layer.featureCount(), "iterated": len(ids),
                         "ids": sorted(ids), "crs": layer.crs().authid()})
            if box is not None:
                layer = open_layer(url, name, page_size)  # a fresh cache
                rect = QgsRectangle(*box)
                wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
                if layer.crs() != wgs84:
                    rect = QgsCoordinateTransform(wgs84, layer.crs(), QgsProject.instance()
                                                  ).transformBoundingBox(rect)
                request = QgsFeatureRequest().setFilterRect(rect)
                info["in_box"] = sorted(str(f["id"]) for f in layer.getFeatures(request))
        out[name] = info
    return out


def main():
    url = sys.argv[1].rstrip("/")
    box = [float(v) for v in sys.argv[2].split(",")] if len(sys.argv) > 2 and sys.argv[2] else None
    page_size = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    token = sys.argv[4] if len(sys.argv) > 4 else ""
    app = QgsApplication([], False)
    app.initQgis()
    if token:
        from qgis.core import QgsNetworkAccessManager
        from qgis.PyQt.QtCore import QByteArray

        def add_token(request):
            if request.url().toString().startswith(url):
                request.setRawHeader(QByteArray(b"Authorization"),
                                     QByteArray(f"Bearer {token}".encode()))

        QgsNetworkAccessManager.setRequestPreprocessor(add_token)
    try:
        print(json.dumps(describe(url, box, page_size, token)))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
