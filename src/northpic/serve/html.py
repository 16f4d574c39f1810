"""HTML pages of the read routes, built from the same documents as their JSON.

Each function takes the JSON document a route answers with and returns one
self-contained page: inline CSS, no script, nothing fetched from elsewhere.
Every text that comes from data is escaped (:func:`html.escape`), so a
record's name or notes can never become markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}nav{margin:.5em 0}nav a{margin-right:1em}
.note{color:#555}pre{white-space:pre-wrap;word-break:break-all}
.banner{text-align:center;font-weight:bold;background:#eee;padding:.2em}
"""


def _e(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return html.escape(str(value), quote=True)


def _with_html(href: str) -> str:
    base, _, query = href.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("f=")]
    return base + "?" + "&".join([*kept, "f=html"])


def _link(href: str, text: Any) -> str:
    return f'<a href="{_e(_with_html(href))}">{_e(text)}</a>'


def page(title: str, body: str, links: Iterable[Mapping[str, Any]] = (),
         banner: str | None = None) -> str:
    """Return a page: ``title`` (escaped), navigation from ``links``, ``body`` (markup).

    A ``banner`` (the marking of the records the page shows) stands at its
    top and its bottom.
    """
    nav = " ".join(_link(str(link["href"]), link.get("title") or link["rel"])
                   for link in links
                   if link.get("rel") not in ("self", "alternate")
                   and str(link.get("type", "")).endswith("json"))
    mark = f'<p class="banner">{_e(banner)}</p>' if banner else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{mark}"
            f"<h1>{_e(title)}</h1><nav>{nav}</nav>{body}{mark}</body></html>\n")


def _table(rows: Iterable[tuple[Any, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>"
                               for k, v in rows) + "</table>"


def landing_page(doc: Mapping[str, Any]) -> str:
    """Render the landing page."""
    body = f"<p>{_e(doc.get('description'))}</p>"
    return page(str(doc.get("title", "northpic")), body, doc.get("links", []))


def conformance_page(doc: Mapping[str, Any]) -> str:
    """Render the conformance classes."""
    items = "".join(f"<li>{_e(c)}</li>" for c in doc["conformsTo"])
    return page("Conformance", f"<ul>{items}</ul>", doc.get("links", []))


def _collection_rows(collection: Mapping[str, Any]) -> list[tuple[str, str]]:
    extent = collection.get("extent", {})
    bbox = extent.get("spatial", {}).get("bbox", [None])[0]
    interval = extent.get("temporal", {}).get("interval", [None])[0]
    rows = [("id", _link(_href(collection, "items"), collection["id"])),
            ("title", _e(collection.get("title"))),
            ("description", _e(collection.get("description"))),
            ("features", _e(collection.get("numberOfFeatures"))),
            ("bbox (CRS84)", _e(bbox)),
            ("time", _e(interval)),
            ("storage CRS", _e(collection.get("storageCrs")))]
    return rows


def _href(doc: Mapping[str, Any], rel: str) -> str:
    for link in doc.get("links", []):
        if link.get("rel") == rel and str(link.get("type", "")).endswith("json"):
            return str(link["href"])
    return "#"


def collections_page(doc: Mapping[str, Any]) -> str:
    """Render the list of collections."""
    body = "".join(_table(_collection_rows(c)) for c in doc["collections"])
    return page("Collections", body, doc.get("links", []))


def collection_page(doc: Mapping[str, Any]) -> str:
    """Render one collection's metadata."""
    return page(str(doc.get("title") or doc["id"]), _table(_collection_rows(doc)),
                doc.get("links", []))


def _properties(props: Mapping[str, Any]) -> str:
    return _table((k, _e(v)) for k, v in props.items())


def items_page(doc: Mapping[str, Any], title: str, banner: str | None = None) -> str:
    """Render a page of features: one table, a row per feature."""
    features = doc.get("features", [])
    columns: list[str] = list(dict.fromkeys(k for f in features for k in f["properties"]))
    head = "<tr><th>feature</th>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>"
    self_href = _href(doc, "self").split("?")[0]
    rows = []
    for feature in features:
        fid = str(feature.get("id"))
        from urllib.parse import quote

        cells = "".join(f"<td>{_e(feature['properties'].get(c))}</td>" for c in columns)
        rows.append(f"<tr><td>{_link(self_href + '/' + quote(fid, safe=''), fid)}</td>"
                    f"{cells}</tr>")
    count = (f"<p class=\"note\">{_e(doc.get('numberReturned'))} of "
             f"{_e(doc.get('numberMatched'))} matching features</p>")
    return page(title, count + f"<table>{head}{''.join(rows)}</table>", doc.get("links", []),
                banner)


def item_page(doc: Mapping[str, Any], title: str, banner: str | None = None) -> str:
    """Render one feature: its properties and its geometry as GeoJSON text."""
    body = (_properties(doc.get("properties") or {})
            + f"<h2>geometry</h2><pre>{_e(doc.get('geometry'))}</pre>")
    return page(title, body, doc.get("links", []), banner)


def queryables_page(doc: Mapping[str, Any]) -> str:
    """Render the queryables of a collection."""
    rows = ((name, _e(schema.get("type") or schema.get("format") or ""))
            for name, schema in doc.get("properties", {}).items())
    return page(str(doc.get("title", "Queryables")), _table(rows), doc.get("links", []))
