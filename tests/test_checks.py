"""The checks themselves cannot quietly drift: no skipped doctest, no bare ``type: ignore``.

Every example in a docstring runs (``--doctest-modules`` is in pytest's options), so none may
be marked ``+SKIP``; a doctest that cannot run on tiny data becomes a test instead. Every
``# type: ignore`` names its error code and says why, so that mypy's silence is reviewed.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "northpic"

#: ``# type: ignore[code]  # reason``: a code in brackets, then a comment with words.
_IGNORE = re.compile(r"type:\s*ignore(?P<code>\[[a-z0-9_-]+(?:,\s*[a-z0-9_-]+)*\])?(?P<rest>.*)")


def _comments(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every comment in a Python file (strings are not comments)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(tok.start[0], tok.string) for tok in tokens if tok.type == tokenize.COMMENT]


def skipped_doctests(root: Path) -> list[str]:
    """``file:line`` of every doctest directive that skips an example."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"doctest:.*\+SKIP", line):
                found.append(f"{path.relative_to(root.parent).as_posix()}:{number}")
    return found


def bare_type_ignores(root: Path) -> list[str]:
    """``file:line: comment`` of every ``type: ignore`` without a code or without a reason."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, comment in _comments(path):
            match = _IGNORE.search(comment)
            if match is None:
                continue
            reason = match.group("rest").strip().lstrip("#").strip()
            if match.group("code") is None or not re.search(r"[A-Za-z]{2,}", reason):
                found.append(f"{path.relative_to(root.parent).as_posix()}:{number}: {comment}")
    return found


def test_no_doctest_is_skipped() -> None:
    skipped = skipped_doctests(SRC)
    assert not skipped, "make these examples run on tiny data, or test them:\n  " + "\n  ".join(
        skipped)


def test_every_type_ignore_names_its_code_and_reason() -> None:
    bare = bare_type_ignores(SRC)
    assert not bare, "write '# type: ignore[code]  # reason':\n  " + "\n  ".join(bare)


@pytest.mark.parametrize(("line", "bare"), [
    ("x = f()  # type: ignore", True),
    ("x = f()  # type: ignore[attr-defined]", True),
    ("x = f()  # type: ignore  # folium has no stubs", True),
    ("x = f()  # type: ignore[attr-defined]  # folium declares no such field", False),
    ("x = f()  # type: ignore[arg-type, call-overload]  # pandas stubs lag", False),
    ("x = '# type: ignore'", False),  # a string, not a comment
])
def test_the_type_ignore_check_itself(tmp_path: Path, line: str, bare: bool) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(line + "\n", encoding="utf-8")
    assert bool(bare_type_ignores(tmp_path / "pkg")) is bare


def test_the_skip_check_itself(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        '"""Doc.\n\n>>> f()  # doctest: +SKIP\n>>> g()  # doctest: +ELLIPSIS\n"""\n',
        encoding="utf-8",
    )
    assert skipped_doctests(tmp_path / "pkg") == ["pkg/m.py:3"]
