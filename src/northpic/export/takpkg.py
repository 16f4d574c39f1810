"""Write a TAK data package: one zip with a manifest, the picture as KMZ and its CoT events.

A TAK client (ATAK, WinTAK, iTAK) imports a data package ("mission
package") by reading ``MANIFEST/manifest.xml`` first: a
``<MissionPackageManifest version="2">`` whose ``<Configuration>`` has the
``uid`` and ``name`` parameters (clients refuse a package without them) and
whose ``<Contents>`` lists each zip entry as ``<Content zipEntry="..."
ignore="false">``. A CoT event's entry carries its event's ``uid`` as a
parameter (the client then treats it as a map item); the KMZ's carries the
``contentType`` ``KML``. The package northpic writes holds:

* ``MANIFEST/manifest.xml``;
* ``picture.kmz``: the picture as KML (:mod:`northpic.export.kml`) zipped
  as ``doc.kml``, for the client's overlay manager;
* ``cot/<uid>.cot``: one CoT event per feature (:mod:`northpic.export.cot`);
* ``README.txt``: the marking and provenance note of every export.

Every entry of the zip is listed in the manifest, and every listed entry
is in the zip; the manifest's ``remarks`` parameter holds the package's
marking banner. The package uid is derived from its entries, its events'
uids and its banner, so writing the same picture again gives the same uid (a client then replaces it
rather than adding a copy).
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from pathlib import Path

from northpic.export.cot import cot_events
from northpic.export.kml import kml_chunks
from northpic.export.prepare import ExportLayer
from northpic.export.readme import README_NAME, describe_export
from northpic.export.text import clean_xml_tree
from northpic.markings import ProductMarking

#: Where TAK clients look for the manifest.
MANIFEST_ENTRY = "MANIFEST/manifest.xml"
#: The picture's KMZ entry.
KMZ_ENTRY = "picture.kmz"
#: The folder of the CoT entries.
COT_FOLDER = "cot"
#: A fixed time for every zip entry, so that the same picture gives the same bytes.
_ENTRY_TIME = (2000, 1, 1, 0, 0, 0)


def kmz_bytes(layers: list[ExportLayer], metadata: Mapping[str, str] | None = None,
              marking: ProductMarking | None = None) -> bytes:
    """Return the picture as KMZ: a zip holding one ``doc.kml``."""
    kml = "".join(kml_chunks(layers, metadata, marking)).encode("utf-8", "xmlcharrefreplace")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("doc.kml", _ENTRY_TIME), kml, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def manifest_xml(entries: list[tuple[str, dict[str, str]]], uid: str, name: str,
                 remarks: str | None = None) -> bytes:
    """Build ``MANIFEST/manifest.xml`` listing ``entries`` (zip name, content parameters).

    Parameters
    ----------
    entries : list of (str, dict)
        Each zip entry and its parameters (``uid`` of a CoT event,
        ``contentType``...).
    uid, name : str
        The package's uid and name.
    remarks : str, optional
        Shown by clients with the package (northpic: its marking banner).

    Returns
    -------
    bytes
        The manifest as a UTF-8 XML document.
    """
    root = ET.Element("MissionPackageManifest", version="2")
    configuration = ET.SubElement(root, "Configuration")
    parameters = [("uid", uid), ("name", name)]
    if remarks:
        parameters.append(("remarks", remarks))
    parameters += [("onReceiveImport", "true"), ("onReceiveDelete", "false")]
    for key, value in parameters:
        ET.SubElement(configuration, "Parameter", name=key, value=value)
    contents = ET.SubElement(root, "Contents")
    for entry, params in entries:
        content = ET.SubElement(contents, "Content", ignore="false", zipEntry=entry)
        for key, value in params.items():
            ET.SubElement(content, "Parameter", name=key, value=value)
    clean_xml_tree(root)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def write_takpkg(
    layers: list[ExportLayer], path: Path, *, metadata: Mapping[str, str] | None = None,
    marking: ProductMarking | None = None,
) -> list[str]:
    """Write the layers as a TAK data package (a zip) at ``path``.

    Returns
    -------
    list of str
        The zip entries written, the manifest first.
    """
    items = dict(metadata or {})
    members: list[tuple[str, bytes, dict[str, str]]] = [
        (KMZ_ENTRY, kmz_bytes(layers, items, marking), {"contentType": "KML"})]
    for event in cot_events(layers, metadata=items, marking=marking):
        members.append((f"{COT_FOLDER}/{event.file_name}", event.data, {"uid": event.uid}))
    members.append((README_NAME, describe_export(layers, items, marking).encode("utf-8"), {}))
    digest = hashlib.sha256((marking.banner if marking is not None else "").encode())
    for entry, _, params in members:
        digest.update(b"\0" + entry.encode() + b"\0" + params.get("uid", "").encode())
    uid = f"northpic-{digest.hexdigest()[:32]}"
    title = items.get("title", "Northern situational picture")
    name = f"{title} ({marking.banner})" if marking is not None else title
    manifest = manifest_xml([(entry, params) for entry, _, params in members], uid, name,
                            marking.banner if marking is not None else None)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(MANIFEST_ENTRY, _ENTRY_TIME), manifest,
                         zipfile.ZIP_DEFLATED)
        for entry, data, _ in members:
            compress = zipfile.ZIP_STORED if entry.endswith(".kmz") else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(entry, _ENTRY_TIME), data, compress)
    return [MANIFEST_ENTRY, *(entry for entry, _, _ in members)]


__all__ = ["COT_FOLDER", "KMZ_ENTRY", "MANIFEST_ENTRY", "kmz_bytes", "manifest_xml",
           "write_takpkg"]
