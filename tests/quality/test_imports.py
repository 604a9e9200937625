"""The import graph of the library: each package imports only the layers below it, no cycles.

Every ``import`` / ``from ... import`` statement of every module (module level and
inside functions, where the optional and heavy imports live) is read with ``ast``;
no module is imported, so the test needs none of the heavy dependencies.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from ..conftest import ROOT

# folder -> import name (pyproject.toml [tool.setuptools] package-dir)
PACKAGES = {
    "core": "semcom_core",
    "seess": "seess",
    "metrics": "semcom_metrics",
    "codecs": "semcom_codecs",
    "channels": "semcom_channels",
    "alignment": "semcom_alignment",
    "annotate": "semcom_annotate",
    "generation": "semcom_generation",
    "pipeline": "semcom_pipeline",
}
#: packages that another branch adds; absent is fine
OPTIONAL = {"semcom_alignment", "semcom_annotate", "semcom_generation"}

# import name -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "semcom_core": set(),
    "seess": {"semcom_core"},
    "semcom_metrics": {"semcom_core", "seess"},
    "semcom_codecs": {"semcom_core"},
    "semcom_channels": {"semcom_core"},
    "semcom_alignment": {"semcom_core", "seess", "semcom_metrics"},
    "semcom_annotate": {"semcom_core"},
    "semcom_generation": {"semcom_core"},
    "semcom_pipeline": set(PACKAGES.values()) - {"semcom_pipeline"},
}
OURS = set(PACKAGES.values())


def imports_of(path: Path, package: str) -> set[str]:
    """Top-level names of everything ``path`` imports (relative imports are ``package``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(package if node.level else (node.module or "").split(".")[0])
    return names


def package_graph() -> dict[str, dict[str, set[str]]]:
    """import name -> {imported package of ours -> the files importing it}."""
    graph: dict[str, dict[str, set[str]]] = {}
    for folder, name in PACKAGES.items():
        root = ROOT / folder
        if not root.is_dir():
            continue
        edges: dict[str, set[str]] = {}
        for path in sorted(root.rglob("*.py")):
            for dep in imports_of(path, name) & OURS - {name}:
                edges.setdefault(dep, set()).add(str(path.relative_to(ROOT)))
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` (node -> successors) as a path, or None."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_required_package_exists_and_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_dir = pyproject["tool"]["setuptools"]["package-dir"]
    for folder, name in PACKAGES.items():
        present = (ROOT / folder / "__init__.py").is_file()
        if name in OPTIONAL and not present:
            continue
        assert present, f"package folder {folder}/ is missing"
        assert package_dir.get(name) == folder, f"pyproject package-dir lacks {name} = {folder}"
    unknown = set(package_dir) - OURS
    assert not unknown, f"packages {sorted(unknown)} are missing from this test's table"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_the_layers_below(package):
    graph = package_graph()
    if package not in graph:
        assert package in OPTIONAL, f"{package} is missing"
        pytest.skip(f"{package} is not in this checkout")
    bad = {dep: files for dep, files in graph[package].items() if dep not in ALLOWED[package]}
    assert not bad, "\n".join(
        f"{package} must not import {dep} (allowed: {sorted(ALLOWED[package]) or 'nothing of ours'})"
        f": {', '.join(sorted(files))}"
        for dep, files in sorted(bad.items())
    )


def test_no_import_cycles_between_packages():
    graph = {name: set(edges) for name, edges in package_graph().items()}
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_the_allowed_table_itself_has_no_cycle():
    assert find_cycle(ALLOWED) is None


def test_cycle_finder_and_import_reader_on_a_known_graph(tmp_path):
    # the helpers themselves, on inputs with a known answer
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    src = tmp_path / "m.py"
    src.write_text(
        "import os\nimport seess.api as s\nfrom . import x\n"
        "def f():\n    from semcom_pipeline.sample import select_images\n"
    )
    assert imports_of(src, "semcom_codecs") == {"os", "seess", "semcom_codecs", "semcom_pipeline"}
