"""The rule for the real data folder: skip on a developer's machine, fail under ``CI=true``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import SHARED_DATA, require_shared_data, running_in_ci

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("value", ["true", "TRUE", "True", "1", " true "])
def test_ci_values_that_mean_ci(value: str) -> None:
    assert running_in_ci({"CI": value})


@pytest.mark.parametrize("value", ["", "false", "0", "no", "yes-please"])
def test_ci_values_that_do_not(value: str) -> None:
    assert not running_in_ci({"CI": value})
    assert not running_in_ci({})


def test_a_missing_folder_fails_under_ci_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "data"
    with pytest.raises(pytest.fail.Exception, match=f"{missing}.*CI is set"):
        require_shared_data(missing, {"CI": "true"})


def test_a_missing_folder_skips_outside_ci_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "data"
    with pytest.raises(pytest.skip.Exception, match=str(missing)):
        require_shared_data(missing, {"CI": "false"})


def test_a_present_folder_is_returned_either_way(tmp_path: Path) -> None:
    assert require_shared_data(tmp_path, {"CI": "true"}) == tmp_path
    assert require_shared_data(tmp_path, {}) == tmp_path


def test_no_test_finds_the_shared_folder_by_itself() -> None:
    """Every real-data test goes through the fixture: none builds ``shared/data`` or skips on it."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name in {"conftest.py", Path(__file__).name}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value == "shared" or "shared/data" in node.value
            ) and not _is_docstring_like(node.value):
                offenders.append(f"{path.relative_to(TESTS)}:{node.lineno}: {node.value!r}")
    assert not offenders, offenders


def _is_docstring_like(text: str) -> bool:
    """Prose that mentions the folder (docstrings, messages) is fine; a path literal is not."""
    return " " in text.strip()


def test_the_folder_is_the_one_next_to_the_repository() -> None:
    assert SHARED_DATA == TESTS.parent.parent / "shared" / "data"
