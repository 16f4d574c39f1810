"""The import graph of ``src/northpic`` runs one way: down the floors, with no package cycle.

The check reads every module with :mod:`ast` (nothing is imported), resolves absolute and
relative ``northpic`` imports wherever they stand (module level, inside functions, under
``if TYPE_CHECKING:``) and modules named by a string (``importlib.import_module``, a
registry's ``"module:function"``), maps each module to the floor of its top-level module or package,
and lists every arrow that runs back up and every cycle between packages.

Imports under ``if TYPE_CHECKING:`` are checked like the others: a type taken from a floor
above is still a dependency on that floor (and a cycle for mypy). The only exemption is the
implicit import of a parent package's ``__init__`` that Python performs for every submodule.

A new top-level module or package must be placed in :data:`FLOORS` explicitly; an unknown one
fails :func:`test_every_top_level_module_has_a_floor`.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "northpic"

#: Floor of each top-level module (``name.py``) or package (``name/``) of ``northpic``.
#: ``__init__`` is the package root ``northpic/__init__.py`` (the public API).
#: A module may import from a lower floor, from inside its own top-level unit, or sideways
#: from another unit of its own floor (catalogue.py reads through io/); an import from a higher
#: floor fails, and so does any cycle between units, which is what keeps one floor one-way.
FLOORS: dict[str, int] = {
    # floor 1: pure; they import only each other
    "errors": 1,
    "text": 1,
    "times": 1,
    "crs": 1,
    "geodesic": 1,
    "schema": 1,
    "concurrency": 1,
    "memory": 1,
    "atomic": 1,  # atomic output: the leaf every writer uses
    "_version": 1,
    # floor 2: every reader of files (layer files and catalogue, land, AIS csv/nmea/parquet as
    # io/ais*, sea-ice product families and registry as io/seaice*, rasters, event input files),
    # and the layer registry as data (it reads through io/)
    "io": 2,
    "catalogue": 2,
    "markings": 2,  # the markings table (read through io/) and the release rules
    "symbology": 2,  # symbol codes and perspectives (read through io/)
    # floor 3: the event store's SQLite/GeoPackage access
    "store": 3,
    # floor 4: analytics: frames and Datasets in, frames out; no paths
    "ais": 4,
    "seaice": 4,
    "events": 4,
    "picture": 4,
    # floor 5: every writer (export/seaice* included) and rendering (render/seaice* included)
    "render": 5,
    "export": 5,
    # floor 6: read-analyse-write chains
    "workflows": 6,
    "build": 6,
    "validate": 6,
    # floor 7: adapters and the public API
    "cli": 7,
    "serve": 7,  # the HTTP adapter, beside the CLI
    "__init__": 7,
    "__main__": 7,
}

@dataclass(frozen=True)
class Arrow:
    """One import of a ``northpic`` module by another, with where it stands."""

    source: str  # dotted module name of the importing file
    target: str  # dotted module name imported (a module or package of the tree)
    path: Path
    line: int
    how: str = ""  # "" for an import statement, else " (under TYPE_CHECKING)" or " (by name)"

    def where(self, src: Path) -> str:
        """``northpic/x.py:12``, relative to the source root."""
        return f"{self.path.relative_to(src).as_posix()}:{self.line}"


def module_files(src: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of ``package`` under ``src``, by dotted name (packages by their name)."""
    modules: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def unit_of(module: str, package: str = PACKAGE) -> str:
    """The top-level unit of a dotted module name: ``northpic.io.land`` -> ``io``."""
    parts = module.split(".")
    if parts[0] != package:
        raise ValueError(f"{module} is not in {package}")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks (either spelling)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else (
                test.attr if isinstance(test, ast.Attribute) else None
            )
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    for inner in ast.walk(stmt):
                        if hasattr(inner, "lineno"):
                            lines.add(inner.lineno)
    return lines


#: A string that names a module: ``northpic.export.gpkg`` or ``northpic.export.gpkg:write_gpkg``.
_NAMED = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?::[A-Za-z_]\w*)?")


def imports_of(module: str, path: Path, modules: dict[str, Path], src: Path,
               package: str = PACKAGE) -> list[Arrow]:
    """Every import of a ``package`` module in one file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    guarded = _type_checking_lines(tree)
    is_package = path.name == "__init__.py"
    # the package a relative import starts from
    here = module.split(".") if is_package else module.split(".")[:-1]
    arrows: list[Arrow] = []

    def add(target: str | None, node: ast.stmt) -> None:
        if target is not None and (target == package or target.startswith(package + ".")):
            if target not in modules:
                raise AssertionError(
                    f"{path.relative_to(src).as_posix()}:{node.lineno} imports {target}, "
                    f"which is not a module of {package}"
                )
            how = " (under TYPE_CHECKING)" if node.lineno in guarded else ""
            arrows.append(Arrow(module, target, path, node.lineno, how))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(here):
                    raise AssertionError(f"{path}:{node.lineno}: relative import beyond the top")
                base = here[: len(here) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:
                # ``from northpic import io`` imports the module northpic.io;
                # ``from northpic import __version__`` imports the package northpic
                submodule = f"{stem}.{alias.name}"
                add(submodule if submodule in modules else stem, node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a module named as data and imported later (importlib.import_module, a registry's
            # "module:function", importlib.resources.files): a dependency all the same
            named = _NAMED.fullmatch(node.value)
            if named and named.group(1) in modules and named.group(1).startswith(package + "."):
                arrows.append(Arrow(module, named.group(1), path, node.lineno, " (by name)"))
    return arrows


def import_graph(src: Path, package: str = PACKAGE) -> list[Arrow]:
    """Every ``package``-internal import of every module under ``src``."""
    modules = module_files(src, package)
    arrows: list[Arrow] = []
    for module, path in modules.items():
        arrows.extend(imports_of(module, path, modules, src, package))
    return arrows


def unplaced_units(src: Path, floors: dict[str, int], package: str = PACKAGE) -> list[str]:
    """Top-level modules and packages of the tree that have no floor."""
    units = {unit_of(m, package) for m in module_files(src, package)}
    return sorted(units - set(floors))


def upward_arrows(src: Path, floors: dict[str, int], package: str = PACKAGE) -> list[str]:
    """One line per import that runs up the floors, with where it stands."""
    problems: list[str] = []
    for arrow in import_graph(src, package):
        source, target = unit_of(arrow.source, package), unit_of(arrow.target, package)
        if source == target or source not in floors or target not in floors:
            continue  # inside one unit; unplaced units are reported by unplaced_units
        if floors[target] <= floors[source]:
            continue
        problems.append(
            f"{arrow.source} -> {arrow.target}: floor {floors[source]} -> floor {floors[target]} "
            f"at {arrow.where(src)}{arrow.how}"
        )
    return sorted(set(problems))


def package_cycles(src: Path, package: str = PACKAGE) -> list[str]:
    """One line per set of units that import each other in a circle, with each edge's site."""
    edges: dict[str, dict[str, Arrow]] = defaultdict(dict)
    for arrow in import_graph(src, package):
        source, target = unit_of(arrow.source, package), unit_of(arrow.target, package)
        if source != target:
            edges[source].setdefault(target, arrow)
    # strongly connected components (Tarjan): every unit of one reaches every other
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets})
    for node in nodes:
        if node not in index:
            visit(node)

    problems = []
    for component in sorted(components):
        members = set(component)
        inside = [
            f"{a} -> {b} at {edges[a][b].where(src)}{edges[a][b].how}"
            for a in component for b in sorted(edges[a]) if b in members
        ]
        problems.append(
            f"cycle among {', '.join(component)} through these imports (one site each):\n    "
            + "\n    ".join(inside)
        )
    return problems


# ---------------------------------------------------------------------------------------------
# the real tree


def test_every_top_level_module_has_a_floor() -> None:
    unplaced = unplaced_units(SRC, FLOORS)
    assert not unplaced, (
        f"place these in FLOORS in {Path(__file__).name} (floors in the README): {unplaced}"
    )


def test_no_import_runs_back_up() -> None:
    problems = upward_arrows(SRC, FLOORS)
    assert not problems, "imports that run back up the floors:\n  " + "\n  ".join(problems)


def test_no_package_cycle() -> None:
    problems = package_cycles(SRC)
    assert not problems, "cycles between packages:\n  " + "\n  ".join(problems)


def test_the_checker_sees_the_real_tree() -> None:
    """Guards against a vacuous pass: the tree has modules and the graph has arrows."""
    arrows = import_graph(SRC)
    assert len(module_files(SRC)) > 20
    assert any(unit_of(a.source) == "cli" and unit_of(a.target) == "errors" for a in arrows)
    # a function-level import is seen: the public API imports the event store lazily
    assert any(a.source == "northpic" and unit_of(a.target) == "events" for a in arrows)


# ---------------------------------------------------------------------------------------------
# the checker itself, on tiny fake trees

FAKE_FLOORS = {"base": 1, "edge": 2, "mid": 3, "top": 4, "__init__": 4}


def _tree(root: Path, files: dict[str, str]) -> Path:
    """Write a fake ``northpic`` package under ``root``: relative path -> source text."""
    for name, text in {"northpic/__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_checker_passes_downward_imports(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "northpic/base.py": "",
        "northpic/edge/__init__.py": "from northpic.base import X\n",
        "northpic/edge/reader.py": "from . import other\nfrom ..base import Y\n",
        "northpic/edge/other.py": "",
        "northpic/mid.py": "import northpic.edge.reader\n",
        "northpic/top/__init__.py": "def f():\n    from northpic import mid\n",
    })
    assert unplaced_units(src, FAKE_FLOORS) == []
    assert upward_arrows(src, FAKE_FLOORS) == []
    assert package_cycles(src) == []
    # relative imports resolve to the modules they name
    targets = {(a.source, a.target) for a in import_graph(src)}
    assert ("northpic.edge.reader", "northpic.edge.other") in targets
    assert ("northpic.edge.reader", "northpic.base") in targets
    assert ("northpic.top", "northpic.mid") in targets


def test_checker_catches_an_upward_import_inside_a_function(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "northpic/base.py": "",
        "northpic/edge/__init__.py": "",
        "northpic/edge/reader.py": "def read():\n    from ..mid import helper\n",
        "northpic/mid.py": "",
    })
    [problem] = upward_arrows(src, FAKE_FLOORS)
    assert problem.startswith("northpic.edge.reader -> northpic.mid: floor 2 -> floor 3 at")
    assert "northpic/edge/reader.py:2" in problem


def test_checker_catches_type_checking_and_root_imports(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "northpic/__init__.py": "__version__ = '1'\n",
        "northpic/base.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from northpic.top import T\n"
        ),
        "northpic/edge/__init__.py": "from northpic import __version__\n",
        "northpic/top.py": "",
    })
    problems = upward_arrows(src, FAKE_FLOORS)
    assert len(problems) == 2, problems
    assert any("northpic.base -> northpic.top: floor 1 -> floor 4" in p
               and "TYPE_CHECKING" in p for p in problems)
    assert any(p.startswith("northpic.edge -> northpic: floor 2 -> floor 4") for p in problems)


def test_checker_catches_a_module_imported_by_name(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "northpic/edge.py": (
            "import importlib\n"
            "WRITERS = {'x': 'northpic.top.writer:write'}\n"
            "def load():\n    return importlib.import_module('northpic.mid')\n"
            "NOTE = 'see northpic.top for the writers'  # prose, not a module name\n"
        ),
        "northpic/mid.py": "",
        "northpic/top/__init__.py": "",
        "northpic/top/writer.py": "",
    })
    assert upward_arrows(src, FAKE_FLOORS) == [
        "northpic.edge -> northpic.mid: floor 2 -> floor 3 at northpic/edge.py:4 (by name)",
        "northpic.edge -> northpic.top.writer: floor 2 -> floor 4 at northpic/edge.py:2 (by name)",
    ]


def test_checker_allows_one_way_sideways_imports_but_not_a_circle(tmp_path: Path) -> None:
    floors = {**FAKE_FLOORS, "other": 3}
    files = {
        "northpic/mid.py": "from northpic.other import x\n",
        "northpic/other.py": "",
    }
    src = _tree(tmp_path / "one-way", files)
    assert upward_arrows(src, floors) == []
    assert package_cycles(src) == []
    src = _tree(tmp_path / "circle", {**files, "northpic/other.py": "import northpic.mid\n"})
    assert upward_arrows(src, floors) == []
    assert package_cycles(src) == [
        "cycle among mid, other through these imports (one site each):\n"
        "    mid -> other at northpic/mid.py:1\n"
        "    other -> mid at northpic/other.py:1"
    ]


def test_checker_catches_a_package_cycle_and_an_unplaced_package(tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "northpic/mid/__init__.py": "",
        "northpic/mid/a.py": "from northpic.top.b import B\n",
        "northpic/top/__init__.py": "",
        "northpic/top/b.py": "def f():\n    import northpic.mid.a\n",
        "northpic/newthing.py": "",
    })
    assert unplaced_units(src, FAKE_FLOORS) == ["newthing"]
    [cycle] = package_cycles(src)
    assert cycle.startswith("cycle among mid, top through")
    assert "northpic/mid/a.py:1" in cycle and "northpic/top/b.py:2" in cycle


def test_checker_refuses_an_import_of_a_module_that_does_not_exist(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"northpic/base.py": "from northpic.gone import x\n"})
    with pytest.raises(AssertionError, match=r"northpic/base.py:1 imports northpic.gone"):
        import_graph(src)
