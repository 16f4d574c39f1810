"""Packaging: import boundaries and layer data inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_northpic_loads_neither_folium_nor_click() -> None:
    code = (
        "import sys, northpic; northpic.list_layers(); "
        "heavy = [m for m in ('folium', 'click', 'playwright', 'dask', 'pyais') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


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
