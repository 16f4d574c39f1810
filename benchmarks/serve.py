"""Serving the picture: ``northpic serve`` against pygeoapi on the same GeoPackage.

Run: ``python benchmarks/serve.py [--events 10000] [--seconds 5] [--clients 1,8,32]``.
Prints a table and writes ``benchmarks/results/serve.json``.

Both servers run under uvicorn, one process each, on loopback, and serve the
``events`` table of one GeoPackage event store written by northpic. The peer
is pygeoapi with its OGR provider (GDAL's GeoPackage driver), run in its own
venv made from Debian's ``/usr/bin/python3`` with its system packages, for
Debian's GDAL bindings (``python3-gdal``, which QGIS brings). Its
SQLite/GeoPackage provider was tried first and fails under concurrent
requests (``no such table: vgpkg_events``, 500s). The venv is made on the
first run, pygeoapi from PyPI, in ``$NORTHPIC_PEER_VENV`` (default
``~/.cache/northpic/pygeoapi-venv``).

The load generator is bounded: for each number of concurrent clients it runs
for ``--seconds`` or ``--max-requests`` requests, whichever ends first, with
keep-alive connections, one request in flight per client. It runs in this
process, so on a 2-core machine the server and the generator each have
about one core. Workloads, the same requests for both servers:

* ``items``: a page of 100 features in a bbox (seeded boxes around the Arctic);
* ``item``: one feature by id;
* ``intake``: ``POST /collections/events/items`` of one event (northpic only:
  pygeoapi's GeoPackage provider is read-only, so there is no peer figure);
* ``live map``: northpic's ``/map`` open in headless Chromium; the seconds
  from the start of a ``POST`` of one event to the event being on the page
  (its entry in the page's live list), without a reload, over ``--live-posts``
  posts (no peer: pygeoapi has no live map).

Before timing, both servers must return the same ids for the same bbox
queries, or the run stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from builders.events import batch, event, write_geojson  # noqa: E402
from builders.serving import NATO_WRITER, free_port, serve_process  # noqa: E402
from northpic.events import add_events  # noqa: E402

DEBIAN_PYTHON = "/usr/bin/python3"
PEER_PACKAGES = ("pygeoapi", "uvicorn", "starlette")
GEOJSON = {"Accept": "application/geo+json"}


def peer_venv() -> Path:
    """Return the peer's venv, making it (from PyPI, with Debian's Python) if missing."""
    folder = Path(os.environ.get("NORTHPIC_PEER_VENV",
                                 Path.home() / ".cache" / "northpic" / "pygeoapi-venv"))
    python = folder / "bin" / "python"
    if not (folder / ".installed").exists():
        if not Path(DEBIAN_PYTHON).exists():
            sys.exit(f"the peer needs Debian's {DEBIAN_PYTHON} and python3-gdal")
        print(f"making pygeoapi's venv in {folder} (once)", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([DEBIAN_PYTHON, "-m", "venv", "--system-site-packages", str(folder)],
                       check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES],
                       check=True)
        (folder / ".installed").touch()
    return folder


def _pygeoapi_config(store: Path, port: int) -> str:
    """pygeoapi's configuration for ``store``'s events (JSON, which YAML reads as is)."""
    base = f"http://127.0.0.1:{port}"
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": base,
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
                   "language": "en-US", "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "http://127.0.0.1/{z}/{x}/{y}.png", "attribution": "none"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "northpic benchmark peer",
                               "description": "the events of one northpic store",
                               "keywords": ["events"], "keywords_type": "theme",
                               "terms_of_service": "none", "url": base},
            "license": {"name": "none", "url": base},
            "provider": {"name": "northpic benchmark", "url": base},
            "contact": {"name": "benchmark"}},
        "resources": {"events": {
            "type": "collection", "title": "events", "description": "reported events",
            "keywords": ["events"], "links": [],
            "extents": {"spatial": {"bbox": [-180, 50, 180, 90],
                                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "OGR", "id_field": "id",
                           "layer": "events",
                           "data": {"source_type": "GPKG", "source": str(store),
                                    "source_capabilities": {"paging": True},
                                    "source_options": {}, "gdal_ogr_options": {}}}]}},
    }
    return json.dumps(config, indent=1)


@contextmanager
def pygeoapi_process(folder: Path, store: Path) -> Iterator[str]:
    """Run pygeoapi's Starlette app under uvicorn on ``store`` until the block ends."""
    venv = peer_venv()
    port = free_port()
    config = folder / "pygeoapi.yml"
    config.write_text(_pygeoapi_config(store, port), encoding="utf-8")
    openapi = folder / "pygeoapi-openapi.yml"
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    env.pop("PYTHONPATH", None)
    subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    log = (folder / "pygeoapi.log").open("wb")
    process = subprocess.Popen(
        [str(venv / "bin" / "python"), "-m", "uvicorn", "pygeoapi.starlette_app:APP",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/collections/events", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"pygeoapi did not start:\n{(folder / 'pygeoapi.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def bboxes(count: int, seed: int = 7) -> list[str]:
    """Seeded query boxes of 20 degrees of longitude by 5 of latitude north of 60N."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        west, south = rng.uniform(-180, 160), rng.uniform(60, 84)
        out.append(f"{west:.3f},{south:.3f},{west + 20:.3f},{south + 5:.3f}")
    return out


def all_ids(url: str, bbox: str) -> set[str]:
    """Every feature id a server returns for a bbox, following ``next`` links."""
    ids: set[str] = set()
    link: str | None = f"{url}/collections/events/items?bbox={bbox}&limit=1000"
    while link:
        page = httpx.get(link, headers=GEOJSON, timeout=60).raise_for_status().json()
        ids.update(str(f.get("id", f["properties"].get("id"))) for f in page["features"])
        link = next((lk["href"] for lk in page.get("links", []) if lk.get("rel") == "next"
                     and page["features"]), None)
    return ids


@dataclass
class Load:
    """The outcome of one workload at one level of concurrency."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    statuses: dict[str, int]

    def row(self) -> dict[str, Any]:
        """Requests/s and p50/p99 latency (ms)."""
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else None
        return {"requests": self.requests, "errors": self.errors, "statuses": self.statuses,
                "requests_per_s": round(self.requests / self.seconds, 1),
                "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
                "p99_ms": round(p99 * 1000, 2) if p99 is not None else None}


Request = Callable[[int, int], tuple[str, str, dict[str, str], bytes | None]]


async def _load(base: str, clients: int, make: Request, seconds: float,
                max_requests: int) -> Load:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        start = time.perf_counter()
        deadline = start + seconds

        async def worker(number: int) -> None:
            nonlocal errors, issued
            while time.perf_counter() < deadline and issued < max_requests:
                issued += 1
                method, path, headers, body = make(number, issued)
                began = time.perf_counter()
                try:
                    answer = await http.request(method, path, headers=headers, content=body)
                    await answer.aread()
                    ok = answer.status_code < 300
                    status = str(answer.status_code)
                except httpx.HTTPError as exc:
                    ok = False
                    status = type(exc).__name__
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(time.perf_counter() - began)
                errors += not ok

        await asyncio.gather(*(worker(n) for n in range(clients)))
        elapsed = time.perf_counter() - start
    return Load(len(latencies), errors, elapsed, latencies, statuses)


def measure(base: str, clients: int, make: Request, seconds: float,
            max_requests: int) -> dict[str, Any]:
    """Run one bounded load and return its row."""
    return asyncio.run(_load(base, clients, make, seconds, max_requests)).row()


def live_map_latency(base: str, posts: int) -> dict[str, Any]:
    """Seconds from POSTing an event to its showing on an open ``/map``, ``posts`` times."""
    from playwright.sync_api import sync_playwright

    from northpic.render.png import CHROMIUM_ARGS, chromium_path

    took = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(f"{base}/map?token={NATO_WRITER.token}", timeout=300_000)
        while not page.evaluate("window.northpicReady === true"):  # the page's CSP forbids
            page.wait_for_timeout(50)                                # wait_for_function
        for n in range(posts):
            _, path, headers, body = _intake_request(0, 10_000_000 + n)
            listed = (f"!!document.querySelector('#np-live-list li[data-id=\"load-0-"
                      f"{10_000_000 + n}\"]')")
            started = time.perf_counter()
            httpx.post(base + path, headers=headers, content=body).raise_for_status()
            while not page.evaluate(listed):
                if time.perf_counter() - started > 60:
                    sys.exit(f"post {n} did not reach the page within 60 s")
                page.wait_for_timeout(10)
            took.append(time.perf_counter() - started)
            page.wait_for_timeout(300)
        browser.close()
    return {"posts": posts, "median_s": round(statistics.median(took), 3),
            "max_s": round(max(took), 3), "min_s": round(min(took), 3)}


def _intake_request(client: int, n: int) -> tuple[str, str, dict[str, str], bytes | None]:
    record = event(n, id=f"load-{client}-{n}", releasability="PUBLIC")
    body = json.dumps({"type": "Feature", "properties": {
        k: v for k, v in record.items() if k not in ("lat", "lon")},
        "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]}})
    return "POST", "/collections/events/items", {
        "Content-Type": "application/geo+json",
        "Authorization": f"Bearer {NATO_WRITER.token}"}, body.encode()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--live-posts", type=int, default=10)
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.clients.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="northpic-bench-serve-"))
    store = folder / "events.gpkg"
    add_events(write_geojson(folder / "events.geojson", batch(args.events, seed=3)), store)
    boxes = bboxes(200)
    ids = [f"b-{i}" for i in range(args.events)]

    def items(client: int, n: int) -> tuple[str, str, dict[str, str], bytes | None]:
        return "GET", f"/collections/events/items?bbox={boxes[n % len(boxes)]}&limit=100", \
            GEOJSON, None

    def item(client: int, n: int) -> tuple[str, str, dict[str, str], bytes | None]:
        return "GET", f"/collections/events/items/{ids[(n * 7919) % len(ids)]}", GEOJSON, None

    intake = _intake_request

    results: dict[str, Any] = {"events": args.events, "seconds": args.seconds,
                               "machine_cores": os.cpu_count(), "rows": []}
    with serve_process(folder, store) as ours, pygeoapi_process(folder, store) as peer:
        for box in boxes[:5]:
            mine, theirs = all_ids(ours.url, box), all_ids(peer, box)
            if mine != theirs:
                sys.exit(f"the servers disagree on bbox {box}: northpic {len(mine)} ids, "
                         f"pygeoapi {len(theirs)}")
        print(f"both servers return the same ids for 5 bbox queries over {args.events} "
              "events", flush=True)
        for name, make, peer_too in (("items", items, True), ("item", item, True),
                                     ("intake", intake, False)):
            for clients in levels:
                row: dict[str, Any] = {"workload": name, "clients": clients,
                                       "northpic": measure(ours.url, clients, make,
                                                           args.seconds, args.max_requests)}
                if peer_too:
                    row["pygeoapi"] = measure(peer, clients, make, args.seconds,
                                              args.max_requests)
                    row["ratio"] = round(row["northpic"]["requests_per_s"]
                                         / max(row["pygeoapi"]["requests_per_s"], 1e-9), 2)
                results["rows"].append(row)
                _print_row(row)
        if args.live_posts:
            results["live_map"] = live_map_latency(ours.url, args.live_posts)
            live = results["live_map"]
            print(f"live map: POST to on the page in {live['median_s']} s median, "
                  f"{live['max_s']} s at most, over {live['posts']} posts", flush=True)
    out = ROOT / "benchmarks" / "results" / "serve.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    return results


def _print_row(row: dict[str, Any]) -> None:
    ours = row["northpic"]
    text = (f"{row['workload']:7} {row['clients']:>3} clients  northpic "
            f"{ours['requests_per_s']:8.1f} req/s p50 {ours['p50_ms']} ms "
            f"p99 {ours['p99_ms']} ms ({ours['errors']} errors)")
    if "pygeoapi" in row:
        peer = row["pygeoapi"]
        text += (f" | pygeoapi {peer['requests_per_s']:8.1f} req/s p50 {peer['p50_ms']} ms "
                 f"p99 {peer['p99_ms']} ms ({peer['errors']} errors) | {row['ratio']}x")
    print(text, flush=True)


if __name__ == "__main__":
    main()
