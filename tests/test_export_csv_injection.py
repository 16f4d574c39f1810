"""CSV exports are safe in spreadsheets: no cell a spreadsheet would run (OWASP CSV injection)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from builders.export import FORMULA_TEXTS, formula_layer, spec
from northpic.export import export_layers
from northpic.export.csv import FORMULA_TRIGGERS
from northpic.io.layer_files import read_layer_file

SPECS = {"points": spec("points", "point")}


def _as_spreadsheet_opens_it(path: Path, xlsx: Path) -> openpyxl.Workbook:
    """Load a CSV as a spreadsheet does, save it as .xlsx with openpyxl and open that again.

    Like Excel or LibreOffice on import: a cell that reads as a number becomes a number; a
    cell beginning with ``=`` is a formula (openpyxl stores it as one), and so is one
    beginning with ``+``, ``-`` or ``@`` that is no number (Excel turns ``+cmd`` into
    ``=+cmd``); a leading tab or carriage return is dropped before that test.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            cells = []
            for text in row:
                try:
                    cells.append(float(text))
                    continue
                except ValueError:
                    pass
                stripped = text.lstrip("\t\r")
                if stripped[:1] in ("+", "-", "@"):
                    stripped = "=" + stripped
                cells.append(stripped if stripped.startswith("=") else text)
            sheet.append(cells)
    book.save(xlsx)
    return openpyxl.load_workbook(xlsx)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csv") / "csv"
    return export_layers({"points": formula_layer()}, SPECS, out, "csv")


def test_no_cell_of_a_csv_export_is_a_formula_in_a_spreadsheet(exported, tmp_path):
    book = _as_spreadsheet_opens_it(exported / "points.csv", tmp_path / "points.xlsx")
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert cells
    formulas = [cell.value for cell in cells if cell.data_type == "f"]
    assert formulas == []


def test_the_hostile_text_is_kept_behind_one_quote(exported):
    with (exported / "points.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == [f"'{t}" for t in FORMULA_TEXTS]
    assert [r["kind"] for r in rows] == [f"'{t}" for t in reversed(FORMULA_TEXTS)]
    assert all(r["id"].startswith("'") for r in rows)
    for row in rows:  # every text cell: no trigger first
        for key, value in row.items():
            assert not value.startswith(FORMULA_TRIGGERS) or _is_number(value), (key, value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_numbers_stay_numbers(exported, tmp_path):
    with (exported / "points.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["temperature_c"]) for r in rows] == [-2.5 - i for i in range(len(rows))]
    assert [r["offset"] for r in rows] == [str(-(i + 1)) for i in range(len(rows))]
    book = _as_spreadsheet_opens_it(exported / "points.csv", tmp_path / "n.xlsx")
    header = [c.value for c in next(book.active.iter_rows())]
    column = header.index("temperature_c")
    values = [row[column] for row in book.active.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in values) and values[0].value == -2.5


def test_the_csv_still_reads_back_into_northpic(exported):
    frame = read_layer_file(exported / "points.csv")
    assert len(frame) == len(FORMULA_TEXTS)
    assert list(frame["name"]) == [f"'{t}" for t in FORMULA_TEXTS]


def test_integers_of_a_column_with_gaps_stay_exact(tmp_path):
    # a nullable integer column (an mmsi some events lack) was written through float64:
    # "273456789.0", and 2**53 + 1 rounded to 2**53
    import json

    import pyogrio

    from builders.markings import PUBLIC_MARKING
    from northpic.cli import main

    def event(n, **extra):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [20 + n, 70]},
                "properties": {"id": f"i{n}", "name": "n", "kind": "k", "domain": "military",
                               "time": "2026-01-01T00:00:00Z", "source": "s",
                               "confidence": "high", "precision_km": 1, **PUBLIC_MARKING,
                               **extra}}

    reports = tmp_path / "ints.geojson"
    reports.write_text(json.dumps({"type": "FeatureCollection", "features": [
        event(1, mmsi=273456789, big=2**53 + 1), event(2)]}))
    store, out = tmp_path / "s.gpkg", tmp_path / "out"
    assert main(["events", "add", str(reports), "--store", str(store), "--releasability",
                 "PUBLIC", "--originator", "test"]) == 0
    assert main(["export", "--format", "csv", "--out", str(out), "--events", str(store),
                 "--layers", "events_military"]) == 0
    with (out / "events_military.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    assert (rows["i1"]["mmsi"], rows["i1"]["big"]) == ("273456789", str(2**53 + 1))
    assert (rows["i2"]["mmsi"], rows["i2"]["big"]) == ("", "")
    back = pyogrio.read_dataframe(out / "events_military.csv", where="id = 'i1'")  # GDAL
    assert back["big"].dtype == "int64" and int(back["big"].iloc[0]) == 2**53 + 1
