"""The package's layering: modules import downwards, never in a circle (a lazy import inside a function
counts too: it only hides the circle until the day both modules load each other at start)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "k8sprov"


def import_graph(package: Path) -> dict[str, set[str]]:
    """module -> the package's modules it imports anywhere in its body (top level or in a function)."""
    modules: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        name = ".".join(path.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {node.module} & modules.keys()
                found |= {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names} & modules.keys()
        graph[name] = found - {name}
    return graph


def cycles(graph: dict[str, set[str]], prefix: str) -> list[list[str]]:
    """Import circles among the modules under `prefix` (one path per circle found)."""
    found: list[list[str]] = []
    inside = {name for name in graph if name == prefix or name.startswith(prefix + ".")}

    def walk(node: str, path: list[str], seen: set[str]) -> None:
        for nxt in sorted(graph[node] & inside):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in seen and nxt > path[0]:  # each circle once, from its smallest module
                walk(nxt, [*path, nxt], seen | {nxt})

    for start in sorted(inside):
        walk(start, [start], {start})
    return found


def test_the_charts_package_has_no_import_circle() -> None:
    assert cycles(import_graph(PACKAGE), "k8sprov.charts") == []


def test_the_plan_view_and_lint_have_no_import_circle() -> None:
    graph = import_graph(PACKAGE)
    assert cycles(graph, "k8sprov.planview") == []
    assert cycles(graph, "k8sprov.lint") == []


def test_the_whole_package_has_no_import_circle() -> None:
    assert cycles(import_graph(PACKAGE), "k8sprov") == []


def test_the_cycle_finder_finds_a_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import thing\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.a import other\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    assert cycles(import_graph(pkg), "pkg") == [["pkg.a", "pkg.b", "pkg.a"]]
