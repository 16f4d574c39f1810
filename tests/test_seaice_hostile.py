"""Property-based: hostile sea-ice files through ``seaice stats/edge/routes`` exit 0 or 2, never 1.

Hypothesis builds small NetCDF files in (and around) each product's layout, with random
arrays, wrong or missing dimensions and coordinates, missing or absurd attributes (scale,
fill, flags, units), NaN and infinities, and GeoTIFFs of random type, grid and CRS. Each
goes through the CLI in-process; a traceback (exit 1) fails the test.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import netCDF4
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northpic.cli import main
from northpic.seaice.analysis import MIN_VALID_FRACTION

pytestmark = pytest.mark.filterwarnings("ignore")

LAYOUTS = ("cdr_seaice_conc", "cdr_seaice_conc", "F17_ICECON", "ice_conc", "cf", "latlon", "other")
DTYPES = ("u1", "i2", "u2", "f4", "f8")
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@st.composite
def netcdf_specs(draw):
    layout = draw(st.sampled_from(LAYOUTS))
    ny, nx = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    nt = draw(st.sampled_from([None, 1, 2]))
    dtype = draw(st.sampled_from(DTYPES))
    kind = np.dtype(dtype)
    if kind.kind == "f":
        elements = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32),
                             st.sampled_from([0.0, 0.15, 1.0, 100.0, 251.0, 255.0]))
    else:
        info = np.iinfo(kind)
        elements = st.one_of(st.integers(int(info.min), int(info.max)),
                             st.sampled_from([0, 15, 100, 251, 254, 255]).filter(
                                 lambda v, info=info: info.min <= v <= info.max))
    shape = (ny, nx) if nt is None else (nt, ny, nx)
    values = draw(st.lists(elements, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    attrs = {}
    if draw(st.booleans()):
        attrs["scale_factor"] = draw(st.sampled_from([0.01, 0.004, 1.0, 0.0, -1.0, np.nan]))
    if draw(st.booleans()):
        attrs["add_offset"] = draw(st.sampled_from([0.0, -1.0, 1e30]))
    if draw(st.booleans()):
        attrs["flag_values"] = draw(st.sampled_from([[251, 252, 253, 254, 255], [1], [], [0, 0]]))
    if draw(st.booleans()):
        attrs["flag_meanings"] = draw(st.sampled_from(["pole_hole land missing", "", "x y z w v"]))
    if draw(st.booleans()):
        attrs["units"] = draw(st.sampled_from(["1", "%", "percent", "K", ""]))
    if draw(st.booleans()):
        attrs["valid_range"] = draw(st.sampled_from([[0, 100], [0, 1], [5, 1]]))
    return {
        "layout": layout, "shape": shape, "dtype": dtype, "values": values, "attrs": attrs,
        "coords": draw(st.sampled_from(["ok"] * 5 + ["missing", "reversed", "constant", "km"])),
        "time": draw(st.sampled_from(["days", "none", "garbage"])),
        "grid_mapping": draw(st.booleans()),
        "standard_name": draw(st.booleans()),
        "v4": draw(st.booleans()),
    }


def write_netcdf(path: Path, spec: dict) -> Path:
    shape = spec["shape"]
    ny, nx = shape[-2:]
    layout = spec["layout"]
    ydim, xdim = ("lat", "lon") if layout == "latlon" else (
        ("yc", "xc") if layout == "ice_conc" else ("y", "x"))
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension(ydim, ny)
        ds.createDimension(xdim, nx)
        dims = (ydim, xdim)
        if len(shape) == 3:
            ds.createDimension("time", shape[0])
            dims = ("time", ydim, xdim)
            if spec["time"] != "none":
                t = ds.createVariable("time", "f8", ("time",))
                t.units = "days since 1601-01-01" if spec["time"] == "days" else "fortnights ago"
                t[:] = np.arange(shape[0], dtype=float) + 154000
        if spec["coords"] != "missing":
            step = 25_000.0 if layout != "latlon" else 1.0
            base = {"ok": 1.0, "reversed": -1.0, "constant": 0.0, "km": 1.0}[spec["coords"]]
            # near the pole, where the shipping routes run
            xs = -75_000 + base * step * np.arange(nx) if layout != "latlon" else (
                -179.5 + base * np.arange(nx))
            ys = 75_000 - base * step * np.arange(ny) if layout != "latlon" else (
                89.5 - base * np.arange(ny))
            names = ("xgrid", "ygrid") if layout == "cdr_seaice_conc" and spec["v4"] else (
                xdim, ydim)
            xv = ds.createVariable(names[0], "f8", (xdim,))
            xv[:] = xs / (1000.0 if spec["coords"] == "km" else 1.0)
            yv = ds.createVariable(names[1], "f8", (ydim,))
            yv[:] = ys / (1000.0 if spec["coords"] == "km" else 1.0)
            if spec["coords"] == "km":
                xv.units = yv.units = "km"
        if spec["grid_mapping"]:
            proj = ds.createVariable("crs", "i4")
            proj.grid_mapping_name = "polar_stereographic"
            proj.straight_vertical_longitude_from_pole = -45.0
            proj.latitude_of_projection_origin = 90.0
            proj.standard_parallel = 70.0
        name = {"cf": "conc", "other": "mystery", "latlon": "seaice_conc"}.get(layout, layout)
        var = ds.createVariable(name, spec["dtype"], dims)
        var.set_auto_maskandscale(False)
        for key, value in spec["attrs"].items():
            if isinstance(value, list):
                value = np.array(value, dtype=np.dtype(spec["dtype"]) if value else "f8")
            var.setncattr(key, value)
        if spec["grid_mapping"]:
            var.grid_mapping = "crs"
        if spec["standard_name"]:
            var.standard_name = "sea_ice_area_fraction"
        var[:] = np.array(spec["values"], dtype=spec["dtype"]).reshape(shape)
    return path


@st.composite
def geotiff_specs(draw):
    return {
        "dtype": draw(st.sampled_from(["uint8", "uint16", "int16", "float32"])),
        "shape": draw(st.sampled_from([(448, 304), (4, 3), (1, 1)])),
        "crs": draw(st.sampled_from(["EPSG:3413", "EPSG:3411", "EPSG:4326", None])),
        "fill": draw(st.sampled_from(["random", "zeros", "flags", "nan", "max"])),
        "name": draw(st.sampled_from(["N_20230915_concentration_v3.0.tif",
                                      "N_20230915_extent_v3.0.tif", "random.tif"])),
        "seed": draw(st.integers(0, 2**16)),
    }


def write_geotiff(folder: Path, spec: dict) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    rng = np.random.default_rng(spec["seed"])
    dtype = np.dtype(spec["dtype"])
    shape = spec["shape"]
    if spec["fill"] == "random":
        data = (rng.integers(0, 255, shape) if dtype.kind == "u" and dtype.itemsize == 1
                else rng.integers(0, 2000, shape)).astype(dtype)
    elif spec["fill"] == "flags":
        data = rng.choice([0, 500, 1000, 2510, 2530, 2540, 2550], shape).astype(dtype) \
            if dtype.itemsize > 1 else rng.choice([0, 1, 251, 254, 255], shape).astype(dtype)
    elif spec["fill"] == "nan" and dtype.kind == "f":
        data = np.full(shape, np.nan, dtype)
    elif spec["fill"] == "max":
        data = np.full(shape, np.iinfo(dtype).max if dtype.kind in "ui" else 1e30, dtype)
    else:
        data = np.zeros(shape, dtype)
    path = folder / spec["name"]
    with rasterio.open(path, "w", driver="GTiff", width=shape[1], height=shape[0], count=1,
                       dtype=spec["dtype"], crs=spec["crs"],
                       transform=from_origin(-3_850_000, 5_850_000, 25_000, 25_000)) as dst:
        dst.write(data, 1)
    return path


def _through_every_command(path: Path, folder: Path) -> None:
    for args in (["seaice", "stats", str(path)], ["seaice", "stats", str(path), "--json"],
                 ["seaice", "edge", str(path), "--out", str(folder / "edge.gpkg")],
                 ["seaice", "routes", str(path), "--json"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(args)
        assert code in (0, 2), (args, code)
        if code == 0 and "--json" in args:  # no data is never reported as a number
            for row in json.loads(out.getvalue()):
                if row.get("valid_fraction") is not None and (
                        row["valid_fraction"] < MIN_VALID_FRACTION):
                    assert row.get("extent_mkm2") is None and row.get("share_in_ice") is None
        edge = folder / "edge.gpkg"
        if edge.exists():
            edge.unlink()


@SETTINGS
@given(spec=netcdf_specs())
def test_hostile_netcdf_files_exit_0_or_2(spec):
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        _through_every_command(write_netcdf(folder / "seaice_conc_daily_nh_20230915.nc", spec),
                               folder)


@SETTINGS
@given(spec=geotiff_specs())
def test_hostile_geotiffs_exit_0_or_2(spec):
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        _through_every_command(write_geotiff(folder, spec), folder)


@pytest.mark.parametrize("content", [b"", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100, b"CDF\x01junk",
                                     b"II*\x00" + b"\xff" * 50])
def test_truncated_and_junk_files_exit_2(tmp_path, content):
    for suffix in (".nc", ".tif"):
        path = tmp_path / f"junk{suffix}"
        path.write_bytes(content)
        _through_every_command(path, tmp_path)
