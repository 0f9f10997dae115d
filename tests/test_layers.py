"""The package's layers: the modules every command builds on never import the feature packages above them."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "k8sprov"
# Feature packages and the CLI layer; the top-level modules (workflow, terraform, project, ...) sit below.
ABOVE = ("k8sprov.bundle", "k8sprov.commands", "k8sprov.cli", "k8sprov.supply", "k8sprov.promotion")
ENTRY = {"cli.py", "__main__.py", "doctor.py"}  # the CLI and doctor gather everything by design


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_top_level_modules_import_nothing_from_the_layers_above() -> None:
    upward = {
        f"{path.name} -> {name}"
        for path in sorted(PACKAGE.glob("*.py")) if path.name not in ENTRY
        for name in imported(path) if name.startswith(ABOVE)
    }
    assert upward == set()
