"""The code's layout (STYLE.md): imports point one way, so no module of the package imports, directly
or through others, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "training_data_miner"


def _imports() -> dict[str, set[str]]:
    """module -> the package's modules it imports (at any place in its file)."""
    found: dict[str, set[str]] = {}
    for folder in ("server", "skills"):
        for path in (ROOT / folder).rglob("*.py"):
            name = ".".join((PACKAGE, *path.relative_to(ROOT).with_suffix("").parts))
            deps = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                    deps.add(node.module)
                    deps.update(f"{node.module}.{a.name}" for a in node.names)
                elif isinstance(node, ast.Import):
                    deps.update(a.name for a in node.names if a.name.startswith(PACKAGE))
            found[name] = deps
    return {m: {d for d in deps if d in found and d != m} for m, deps in found.items()}


def test_imports_point_one_way():
    graph = _imports()
    circles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    circles.append(" -> ".join(path + [dep]))
                elif dep not in seen:
                    seen.add(dep)
                    stack.append((dep, path + [dep]))
    assert not circles, circles
