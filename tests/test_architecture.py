"""ARCHITECTURE.md is true to the package: one row per module, no row for a module
that is not there."""

from __future__ import annotations

import ast
import re

from handbook.paths import ROOT

PACKAGE = ROOT / "tools" / "handbook"
#: A row of the module table: ``| `pages/checks.py` | ... |`` (a row may name two
#: files that do one job together, e.g. a module and its template).
ROW = re.compile(r"^\| (`[^|]+`) \| .+ \|$")


def documented() -> list[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## The `handbook` package", 1)[1]
    names: list[str] = []
    for line in table.splitlines():
        row = ROW.match(line)
        if row:
            names += re.findall(r"`([^`]+\.py)`", row.group(1))
    return names


def _defines_something(path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.ClassDef) for node in tree.body)


def modules() -> set[str]:
    """Every module of the package; a package's ``__init__.py`` counts only when it
    holds code (a docstring and a version string are not a job)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        if path.name == "__init__.py" and not _defines_something(path):
            continue
        found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_every_module_has_exactly_one_row():
    names = documented()
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert repeated == [], f"modules with more than one row: {repeated}"
    assert sorted(modules() - set(names)) == [], "modules without a row in ARCHITECTURE.md"
    assert sorted(set(names) - modules()) == [], "rows for modules that do not exist"
