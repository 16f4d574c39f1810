"""Exports refuse what they do not know, never overwrite by accident, and write atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders.export import points_layer, spec
from northpic.atomic import atomic_output
from northpic.cli import main
from northpic.errors import OutputExistsError, UnsupportedFormatError
from northpic.export import export_layers


@pytest.fixture(scope="module")
def one_layer():
    return {"points": points_layer(5)}, {"points": spec("points", "point", symbol="star")}


def test_unknown_format_is_refused(one_layer, tmp_path):
    frames, specs = one_layer
    with pytest.raises(UnsupportedFormatError, match="unknown export format 'dxf'; valid formats"):
        export_layers(frames, specs, tmp_path / "out.dxf", "dxf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "out", "message"), [
    ("gpkg", "out.kml", r"one file ending in \.gpkg, not \.kml"),
    ("kml", "out", r"one file ending in \.kml, not no extension"),
    ("geojson", "out.geojson", r"is a folder; give a folder name without the file extension"),
    ("shp", "out.zip", r"is a folder"),
])
def test_extension_that_does_not_fit_the_format_is_refused(one_layer, tmp_path, fmt, out, message):
    frames, specs = one_layer
    with pytest.raises(UnsupportedFormatError, match=message):
        export_layers(frames, specs, tmp_path / out, fmt)


@pytest.mark.parametrize(("fmt", "out"), [("gpkg", "p.gpkg"), ("csv", "csv-folder")])
def test_existing_output_is_kept_unless_overwrite(one_layer, tmp_path, fmt, out):
    frames, specs = one_layer
    target = tmp_path / out
    export_layers(frames, specs, target, fmt)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    stamp = target.stat().st_mtime_ns
    with pytest.raises(OutputExistsError, match="already exists; pass --overwrite"):
        export_layers(frames, specs, target, fmt)
    assert target.stat().st_mtime_ns == stamp
    export_layers(frames, specs, target, fmt, overwrite=True)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no temporary files left


def test_a_failed_export_leaves_the_old_output_untouched(tmp_path):
    target = tmp_path / "picture.kml"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="writer failed"), \
            atomic_output(target, directory=False, overwrite=True) as tmp:
        tmp.write_text("half written")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["picture.kml"]


def test_a_folder_can_replace_a_file_with_overwrite(tmp_path):
    target = tmp_path / "out"
    target.write_text("a file")
    with atomic_output(target, directory=True, overwrite=True) as tmp:
        (tmp / "a.csv").write_text("x\n")
    assert (target / "a.csv").read_text() == "x\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_cli_exit_2_without_traceback_for_bad_format_and_existing_output(tmp_path, capsys):
    assert main(["export", "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "unknown export format 'xlsx'" in err and "Traceback" not in err
    existing = tmp_path / "p.gpkg"
    existing.write_text("keep me")
    assert main(["export", "--format", "gpkg", "--out", str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert existing.read_text() == "keep me"


def test_cli_unknown_layer_names_the_valid_ones(tmp_path, capsys):
    code = main(["export", "--format", "gpkg", "--out", str(tmp_path / "p.gpkg"),
                 "--layers", "nope"])
    assert code == 2
    assert "unknown layer 'nope'; valid layers:" in capsys.readouterr().err
    assert not Path(tmp_path / "p.gpkg").exists()


@pytest.mark.parametrize(("fmt", "out"), [("gpkg", "p.gpkg"), ("geojson", "geojson-folder")])
def test_outputs_get_the_usual_permissions_not_private_temporary_ones(one_layer, tmp_path, fmt, out):
    import os
    import stat

    frames, specs = one_layer
    old = os.umask(0o022)
    try:
        target = export_layers(frames, specs, tmp_path / out, fmt)
    finally:
        os.umask(old)
    mode = stat.S_IMODE(Path(target).stat().st_mode)
    assert mode & 0o044 == 0o044, oct(mode)  # group and others may read a shared export
