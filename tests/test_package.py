"""Packaging: import boundaries and layer data inside the wheel."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import running_in_ci

REPO = Path(__file__).resolve().parents[1]


def test_import_northpic_loads_neither_folium_nor_click() -> None:
    code = (
        "import sys, northpic; northpic.list_layers(); "
        "heavy = [m for m in ('folium', 'click', 'playwright', 'dask', 'pyais') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_import_northpic_imports_the_lazy_api_only_when_used() -> None:
    code = (
        "import sys, northpic; "
        "before = [m for m in ('northpic.events', 'northpic.export') if m in sys.modules]; "
        "listed = {'add_events', 'export_picture'} <= set(dir(northpic)); "
        "northpic.add_events; "
        "print(before, listed, 'northpic.events' in sys.modules, 'assume_utc' in "
        "__import__('inspect').signature(northpic.add_events).parameters)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["[]", "True", "True", "True"]


@pytest.mark.parametrize(("name", "module"), [("add_events", "northpic.events"),
                                              ("export_picture", "northpic.export")])
def test_the_public_api_keeps_the_real_signatures_and_docstrings(name: str, module: str) -> None:
    import importlib

    import northpic

    real = getattr(importlib.import_module(module), name)
    public = getattr(northpic, name)
    assert inspect.signature(public) == inspect.signature(real)
    assert public.__doc__ == real.__doc__ and "Parameters" in (public.__doc__ or "")
    assert public is real and public.__module__ != "northpic"
    assert name in dir(northpic) and name in northpic.__all__
    assert "options" not in inspect.signature(public).parameters  # not the erased **options


def test_every_public_name_is_listed_and_reachable() -> None:
    import northpic

    assert set(northpic.__all__) <= set(dir(northpic))
    for name in northpic.__all__:
        assert getattr(northpic, name) is not None, name
    with pytest.raises(AttributeError, match="module 'northpic' has no attribute 'no_such_name'"):
        northpic.no_such_name  # noqa: B018


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    """Run mypy with this checkout's configuration (pyproject.toml), from the repository."""
    try:
        import mypy  # noqa: F401
    except ImportError:
        if running_in_ci():
            pytest.fail("mypy is not installed (pip install -e '.[dev]'); CI is set", pytrace=False)
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "MYPYPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "mypy", *args], capture_output=True,
                          text=True, cwd=REPO, env=env)


def test_mypy_finds_no_error_in_src() -> None:
    """``mypy src`` as configured, with no tolerated baseline (``make lint`` runs it too)."""
    result = _mypy("src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout


def test_type_checkers_see_the_real_signatures() -> None:
    """A call the real ``add_events`` refuses is refused by mypy through ``northpic``."""
    result = _mypy("-c", "import northpic\nnorthpic.add_events([], store='s.gpkg', bogus=1)\n"
                         "northpic.export_picture('p.gpkg', 'gpkg', layer=['bases'])\n")
    assert 'Unexpected keyword argument "bogus" for "add_events"' in result.stdout, result.stdout
    assert 'Unexpected keyword argument "layer" for "export_picture"' in result.stdout
    assert result.stdout.count("error:") == 2, result.stdout


@pytest.mark.slow
def test_wheel_carries_the_layer_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob("northpic-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"northpic/_layers/{p.name}" for p in (REPO / "layers").iterdir() if p.is_file()}
    assert shipped <= names, sorted(shipped - names)
    assert "northpic/render/static/polar_crs.js" in names
    # the installed wheel (not the checkout) finds its data and loads every layer
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import northpic, sys; from northpic.catalogue import layers_dir; "
        "assert '_layers' in str(layers_dir()), layers_dir(); "
        "print(sum(len(northpic.load_layer(s.name)) for s in northpic.list_layers()))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100
