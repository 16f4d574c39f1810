"""Open every table of a GeoPackage in QGIS, headless, and print what QGIS sees as JSON.

Run with Debian's ``/usr/bin/python3`` (which has ``python3-qgis``), not the
project's venv: ``QT_QPA_PLATFORM=offscreen python3 load_gpkg.py FILE.gpkg``.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsProviderRegistry, QgsVectorLayer  # noqa: E402


def describe(path: str) -> dict:
    metadata = QgsProviderRegistry.instance().providerMetadata("ogr")
    out = {}
    for sub in metadata.querySublayers(path):
        name = sub.name()
        if name == "layer_styles":
            continue
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        info = {"valid": layer.isValid(), "features": layer.featureCount(),
                "crs": layer.crs().authid()}
        if layer.isValid():
            message, loaded = layer.loadDefaultStyle()
            renderer = layer.renderer()
            symbol = renderer.symbol() if hasattr(renderer, "symbol") else None
            symbol_layer = symbol.symbolLayer(0) if symbol else None
            props = symbol_layer.properties() if symbol_layer else {}
            temporal = layer.temporalProperties()
            info.update({
                "style_loaded": bool(loaded), "style_message": message,
                "renderer": renderer.type(),
                "symbol_type": symbol.type() if symbol else None,
                "symbol_layer": symbol_layer.layerType() if symbol_layer else None,
                "color": symbol.color().name() if symbol else None,
                "marker": props.get("name"),
                "customdash": props.get("customdash") if props.get("use_custom_dash") == "1"
                else None,
                "temporal_active": temporal.isActive(),
                "temporal_mode": int(temporal.mode()),
                "start_field": temporal.startField(),
                "end_field": temporal.endField(),
                "fields": {f.name(): f.typeName() for f in layer.fields()},
            })
            if renderer.type() == "categorizedSymbol":
                info["category_field"] = renderer.classAttribute()
                info["categories"] = [
                    [c.value(), c.symbol().color().name(),
                     c.symbol().symbolLayer(0).properties().get("name")]
                    for c in renderer.categories()
                ]
        out[name] = info
    return out


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(json.dumps(describe(sys.argv[1])))
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
