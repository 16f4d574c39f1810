"""Shared fixtures: the real data folder and a real headless browser."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Scripts run by other interpreters (Debian's python3 with QGIS), not test modules.
collect_ignore = ["qgis"]

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def running_in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``CI`` is set to ``true`` or ``1`` (any case), as CI services set it."""
    return environ.get("CI", "").strip().lower() in {"true", "1"}


def require_shared_data(folder: Path = SHARED_DATA,
                        environ: Mapping[str, str] = os.environ) -> Path:
    """Return ``folder`` if it exists; else skip, or fail under ``CI=true``.

    On a developer's machine the real-data tests skip (with the path in the reason, shown by
    ``-ra``) when ``../shared/data`` is absent. Under ``CI=true`` a missing folder is a broken
    checkout, not a reason to pass: the test fails naming the path.
    """
    if folder.is_dir():
        return folder
    message = f"the real test data folder {folder} is not available"
    if running_in_ci(environ):
        pytest.fail(f"{message} (CI is set, so a missing folder fails instead of skipping)",
                    pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real public files for tests (never copied into the repo).

    Every test that reads real data takes this fixture, so that one rule decides what happens
    when the folder is absent: skip, or fail under ``CI=true`` (see :func:`require_shared_data`).
    """
    return require_shared_data()


@dataclass
class LoadedPage:
    """A map opened in Chromium, with what it logged and requested."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the whole session, via Playwright."""
    playwright = pytest.importorskip("playwright.sync_api")
    from northpic.render.png import CHROMIUM_ARGS, chromium_path

    with playwright.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_map(browser: Any) -> Iterator[Any]:
    """Open an HTML file; record console errors, page errors, dialogs and network requests."""
    pages: list[Any] = []

    def _open(path: Path, width: int = 1400, height: int = 900, wait: bool = True) -> LoadedPage:
        page = browser.new_page(viewport={"width": width, "height": height})
        pages.append(page)
        loaded = LoadedPage(page)
        page.on("console", lambda m: loaded.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: loaded.errors.append(str(e)))
        page.on("dialog", lambda d: (loaded.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: loaded.requests.append(r.url)
                if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
        page.goto(Path(path).resolve().as_uri())
        if wait:
            page.wait_for_function("window.northpicReady === true", timeout=60_000)
        return loaded

    yield _open
    for page in pages:
        page.close()


def require_postgis(missing: str | None, environ: Mapping[str, str] = os.environ) -> None:
    """Skip, or under ``CI=true`` fail, when PostgreSQL or PostGIS is not installed.

    ``missing`` says what is missing (``None``: nothing). As for the real data: on a
    developer's machine the PostGIS store's tests skip, saying why; under CI a missing
    server is a broken machine (``make system-deps`` installs it), not a reason to pass.
    """
    if missing is None:
        return
    if running_in_ci(environ):
        pytest.fail(f"{missing} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(missing)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One real, throwaway PostgreSQL server with PostGIS for the whole session.

    See :mod:`builders.postgres`; skipped (failed under ``CI=true``) when the server or
    PostGIS is not installed. Take :func:`postgis_store` for a fresh store.
    """
    from builders.postgres import find_binaries, start_server

    require_postgis(find_binaries()[1])
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgis_store(postgres_server: Any) -> str:
    """The URL (password included) of a fresh database with PostGIS and no store yet."""
    return str(postgres_server.new_database())


@pytest.fixture(params=["gpkg", "postgis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Make fresh, empty stores of one backend: GeoPackage files, or PostGIS database URLs.

    Tests of the store's behaviour take this, so that each runs on both backends and
    proves they behave the same: ``store = make_store()``.
    """
    if request.param == "gpkg":
        numbers = iter(range(1_000_000))
        return lambda: tmp_path / f"store-{next(numbers)}.gpkg"
    return request.getfixturevalue("postgres_server").new_database
