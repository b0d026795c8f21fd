"""Layers import downward only, and no module imports itself through others.

Every .py under etl/, dashboard/, app_pages/ and app.py is parsed with ``ast``; every import (module level and
inside functions) of a project module is an edge of the module graph. The layers are data (LAYERS, lowest
first): a module may import modules of its own layer or of a lower one, never of a higher one. Dev tools
(devtools/) and tests sit outside the product and are never imported by it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("etl", "dashboard", "app_pages", "app.py")

# (layer name, module prefixes), lowest first. A prefix names a module and everything under it.
LAYERS = (
    ("base: configuration, the template, labels, object storage",
     ("etl", "etl.config", "etl.template", "etl.labels", "etl.storage")),
    ("documents and extractors", ("etl.document", "etl.extractors")),
    ("parsing", ("etl.reader", "etl.glued", "etl.parse", "etl.metadata", "etl.cells")),
    ("warehouse schema and the readers the rules use",
     ("etl.warehouse", "etl.columns", "etl.review_tables", "etl.metrics")),
    ("rules", ("etl.rules",)),
    ("warehouse writing and outputs",
     ("etl.writer", "etl.ingest", "etl.marts", "etl.review", "etl.notice", "etl.parquet", "etl.sandbox",
      "etl.uploads", "etl.scale")),
    ("commands", ("etl.commands", "etl.cli", "etl.__main__", "etl.demo")),
    ("dashboard", ("dashboard",)),
    ("pages and the app", ("app_pages", "app")),
)
OUTSIDE = ("devtools", "tests")  # never imported by the product

# Edges allowed although they go up. Nothing else may be added here.
ALLOWED_UPWARD: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    out = {}
    for s in SOURCES:
        p = ROOT / s
        assert p.exists(), f"{s} is gone: update SOURCES so the graph still covers the whole product"
        for f in ([p] if p.suffix == ".py" else sorted(p.rglob("*.py"))):
            out[_module_name(f)] = f
    return out


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Fully qualified names of everything imported anywhere in the module (functions included):
    ``from pkg.mod import name`` yields pkg.mod.name, which resolves to the longest module prefix."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            names.update(f"{mod}.{a.name}" for a in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """module -> project modules it imports (plus names under devtools/tests, kept as written)."""
    mods = _sources()

    def resolve(name: str) -> str | None:
        top = name.split(".")[0]
        if top in OUTSIDE:
            return name
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for m, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = {resolve(n) for n in _imported_names(tree, m, path.name == "__init__.py")}
        graph[m] = {t for t in targets if t and t != m}
    return graph


def layer_of(module: str) -> int | None:
    best, best_len = None, -1
    for i, (_name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = i, len(p)
    return best


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as one cycle path."""
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_path(graph, set(c)) for c in comps]


def _cycle_path(graph, comp: set[str]) -> list[str]:
    """One concrete cycle inside a strongly connected component, for the message."""
    start = min(comp)
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph[v] & comp):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    return sorted(comp)


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in import_graph() if layer_of(m) is None)
    assert not unplaced, "modules in no layer (add them to LAYERS in tests/test_layers.py): " + ", ".join(unplaced)


def test_no_import_cycles():
    cycles = _cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in cycles)


def test_layers_import_downward_only():
    bad = []
    for m, targets in sorted(import_graph().items()):
        lm = layer_of(m)
        for t in sorted(targets):
            if t.split(".")[0] in OUTSIDE:
                bad.append(f"  {m} imports {t}: the product never imports dev tools or tests")
                continue
            lt = layer_of(t)
            if lm is None or lt is None or lt <= lm or (m, t) in ALLOWED_UPWARD:
                continue
            bad.append(f"  {m} (layer {LAYERS[lm][0]!r}) imports {t} (higher layer {LAYERS[lt][0]!r})")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_allowances_are_still_needed():
    graph = import_graph()
    stale = sorted(e for e in ALLOWED_UPWARD if e[1] not in graph.get(e[0], ()))
    assert not stale, f"allowed upward imports that no longer exist (remove them from ALLOWED_UPWARD): {stale}"


def test_the_checker_sees_an_upward_and_a_function_level_import():
    """The graph includes imports inside functions, and relative imports resolve to the right module."""
    tree = ast.parse("from ..writer import IngestLocked\ndef f():\n    from dashboard import fmt\n")
    names = _imported_names(tree, "etl.commands.ingest", is_package=False)
    assert names == {"etl.writer.IngestLocked", "dashboard.fmt"}
    assert layer_of("etl.template.versions") == layer_of("etl.template") == 0
    assert layer_of("dashboard.fmt") > layer_of("etl.commands.check") > layer_of("etl.rules.engine")
