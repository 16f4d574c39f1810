"""The CLI's exit codes and messages: 0 ok, 2 bad input (no traceback), 1 unexpected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import northpic
from builders.layers import feature, write_geojson
from northpic import cli as cli_module

REQUIRED_LAYERS = {"bases", "shipping_routes", "shadow_fleet", "minerals", "sea_ice"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "northpic", *args], capture_output=True, text=True, timeout=300
    )


def test_layers_list_json_names_core_layers() -> None:
    result = run_cli("layers", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert REQUIRED_LAYERS <= {row["name"] for row in rows}
    assert all(row["style"] and row["description"] and row["file"] for row in rows)


def test_validate_point_at_250_95_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "field_report.geojson", [feature("x-1", lon=250, lat=95)])
    result = run_cli("layers", "validate", str(path))
    assert result.returncode == 2
    assert str(path) in result.stderr and "record 'x-1'" in result.stderr
    assert "out of range" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_good_file_exits_0(tmp_path: Path) -> None:
    path = write_geojson(tmp_path / "fine.geojson", [feature("ok-1")])
    assert run_cli("layers", "validate", str(path)).returncode == 0


def test_validate_catalogue_exits_0() -> None:
    result = run_cli("layers", "validate")
    assert result.returncode == 0, result.stderr


def test_unknown_layer_exits_2_listing_valid_names(tmp_path: Path) -> None:
    result = run_cli("build", "--layers", "bases,unicorns", "--out", str(tmp_path / "m.html"))
    assert result.returncode == 2
    assert "unknown layer 'unicorns'" in result.stderr and "shipping_routes" in result.stderr
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize("command", [("build",), ("export", "--format", "gpkg")])
def test_a_date_that_is_no_date_exits_2(tmp_path: Path, command: tuple[str, ...]) -> None:
    out = tmp_path / "out.gpkg"
    result = run_cli(*command, "--out", str(out), "--at", "last tuesday")
    assert result.returncode == 2, result.stderr
    assert "'last tuesday' is not an ISO 8601 date" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--layers", " , "), "--layers: names nothing"),
    (("--png", "slide.jpg"), "--png writes a PNG image"),
    (("--out", "map.pdf"), "the map is an HTML page"),
])
def test_build_refuses_what_it_cannot_do(tmp_path: Path, args: tuple[str, ...], message: str):
    args = tuple(str(tmp_path / a) if a.endswith((".jpg", ".pdf")) else a for a in args)
    result = run_cli("build", *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_shipped_layer_files_validate_on_their_own() -> None:
    files = [str(spec.file) for spec in northpic.list_layers()]
    result = run_cli("layers", "validate", *files)
    assert result.returncode == 0, result.stderr


def test_bad_option_exits_2() -> None:
    assert run_cli("build", "--projection", "robinson").returncode == 2


@pytest.mark.parametrize("args", [(), ("build",), ("layers",), ("layers", "list"),
                                  ("layers", "validate")])
def test_every_command_has_help(args: tuple[str, ...]) -> None:
    result = run_cli(*args, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_unexpected_error_exits_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import northpic.picture

    def explode() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(northpic.picture, "list_layers", explode)
    assert cli_module.main(["layers", "list"]) == 1
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: disk on fire" in err and "Traceback" not in err
    assert cli_module.main(["-v", "layers", "list"]) == 1
    assert "Traceback" in capsys.readouterr().err
