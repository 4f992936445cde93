"""
The layout's boundaries, checked on the import statements of every module
(wherever they stand, inside functions too):

- the protocol (``sequencer.spec``, ``sequencer.crypto``, ``sequencer.witness``)
  imports nothing else of the project: the state transition, its encodings
  and its witness stand alone;
- the product (``sequencer``, ``prover``) never imports the benchmarks;
- no import cycle between the parts of ``sequencer`` (its sub-packages and
  top-level modules).
"""

import ast
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("sequencer", "prover", "bench")
PROTOCOL = ("sequencer.spec", "sequencer.crypto", "sequencer.witness")


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the project, by dotted name."""
    for package in PROJECT:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imported(name: str, path: Path) -> set[str]:
    """The project modules ``path`` imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module.split(".")[0] in PROJECT}


def within(module: str, packages: tuple[str, ...]) -> bool:
    """Whether ``module`` is one of ``packages`` or inside one."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def part(module: str) -> str:
    """The part of ``sequencer`` a module belongs to: ``sequencer.<first name>``."""
    return ".".join(module.split(".")[:2])


GRAPH = {name: imported(name, path) for name, path in modules()}


def test_the_protocol_imports_nothing_else_of_the_project() -> None:
    leaks = {
        (name, target)
        for name, targets in GRAPH.items()
        if within(name, PROTOCOL)
        for target in targets
        if not within(target, PROTOCOL)
    }
    assert leaks == set()


def test_the_product_never_imports_the_benchmarks() -> None:
    leaks = {
        (name, target)
        for name, targets in GRAPH.items()
        if within(name, ("sequencer", "prover"))
        for target in targets
        if within(target, ("bench",))
    }
    assert leaks == set()


def test_no_cycle_between_the_parts_of_sequencer() -> None:
    edges: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        if within(name, ("sequencer",)) and name != "sequencer":
            for target in targets:
                if within(target, ("sequencer",)) and target != "sequencer" and part(target) != part(name):
                    edges.setdefault(part(name), set()).add(part(target))
    cycles = []
    for start in edges:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for successor in edges.get(node, ()):
                if successor == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif successor not in seen:
                    seen.add(successor)
                    stack.append((successor, [*trail, successor]))
    assert cycles == []
