"""No import cycles between feature packages (issue 10.7). The graph is read
from the source (every import, those inside functions too) at the level of
casesys's packages; the app factory (casesys/__init__.py) and the model
list (casesys/models.py) may import anything, being where the app is put
together. The failure message prints the whole graph."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "casesys"
ASSEMBLY = {"__init__", "models"}           # casesys/__init__.py, casesys/models.py
FOUNDATION = {"domain", "core", "extensions", "forms"}  # import no feature package


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "casesys" and len(parts) > 1 else None


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at any depth (function-level too)."""
    module = _module_of(path)
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if path.name == "__init__.py" else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.append(target)
            names += [f"{target}.{alias.name}" for alias in node.names]  # `from casesys.x import views`
    return names


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    """package → the packages it imports; (package, package) → where."""
    graph: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        source = _package(_module_of(path)) or "__init__"
        if path.parent == ROOT:
            source = path.stem
        graph.setdefault(source, set())
        for name in _imports(path):
            target = _package(name)
            if target and target != source and (ROOT / target).exists() | (ROOT / f"{target}.py").exists():
                graph[source].add(target)
                where[(source, target)].append(f"{path.relative_to(ROOT).as_posix()}: {name}")
    return graph, where


def features(graph) -> set[str]:
    return set(graph) - ASSEMBLY - FOUNDATION


def cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one feature (Tarjan)."""
    nodes = features(graph)
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node] & nodes):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def listing(graph) -> str:
    """The package graph, features from the bottom up (each imports only those above it in the list)."""
    order, done, remaining = [], set(), set(graph)
    while remaining:
        ready = sorted(n for n in remaining if not (graph[n] - done - {n}) & remaining) or sorted(remaining)[:1]
        order += ready
        done |= set(ready)
        remaining -= set(ready)
    return "\n".join(f"{name:13} → {', '.join(sorted(graph[name])) or '—'}" for name in order)


GRAPH, WHERE = import_graph()


def _explain(pairs) -> str:
    return "\n".join(f"  {a} → {b}: " + "; ".join(WHERE[(a, b)][:4]) for a, b in pairs)


def test_no_cycles_between_feature_packages():
    found = cycles(GRAPH)
    pairs = [(a, b) for component in found for a in component for b in component if b in GRAPH[a]]
    assert not found, f"cycles {found}:\n{_explain(pairs)}\n\nthe graph:\n{listing(GRAPH)}"


def test_core_domain_forms_import_no_feature_package():
    pairs = [(a, b) for a in sorted(FOUNDATION & set(GRAPH)) for b in sorted(GRAPH[a] & features(GRAPH))]
    assert not pairs, _explain(pairs)


def test_no_feature_imports_another_features_views():
    """A page of one feature is never built by importing another feature's
    views: what they share lives in services, queries or a registry."""
    offending = [line for (a, b), lines in WHERE.items() if a not in ASSEMBLY
                 for line in lines if f"casesys.{b}.views" in line.split(": ", 1)[1]]
    assert not offending, "\n".join(offending)


def test_the_graph_is_read_from_every_package():
    """The test sees the packages and their imports (a graph it cannot read would pass)."""
    assert {"cases", "adjudication", "mediation", "documents", "referrals", "core", "domain"} <= set(GRAPH)
    assert "auth" in GRAPH["cases"] and "core" in GRAPH["cases"]
    assert GRAPH["domain"] <= {"domain"}


if __name__ == "__main__":  # python -m tests.unit.test_import_graph: the listing for the closing note
    print(listing(GRAPH))
