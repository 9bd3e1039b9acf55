"""No two parts of the package import each other, directly or round a circle.

A circle of imports ties modules into one knot: none can be read, tested or
replaced alone. Two levels are checked, typing-only imports included (DESIGN:
"not even for typing"): modules (``sync.room`` ↔ ``sync.federation``) and
the package's top-level parts (``store`` → ``auth`` → ``store``). The
layer contracts in pyproject.toml (``lint-imports``) say which way arrows
may point between layers; this catches circles inside one layer too.

``python tests/test_import_cycles.py`` prints the circles it finds.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

PACKAGE = "metaexpo"


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The circles of ``graph``: its strongly connected parts of more than one node.

    Tarjan's algorithm, iterative (a deep package must not hit the recursion limit).
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                part = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.append(member)
                    if member == node:
                        break
                if len(part) > 1:
                    circles.append(sorted(part))
    return sorted(circles)


def import_circles(package: str) -> tuple[list[list[str]], list[list[str]]]:
    """Circles of ``package``'s imports: (between modules, between its top-level parts)."""
    graph = grimp.build_graph(package, cache_dir=None)
    modules = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    modules = {m: {t for t in targets if t in modules} for m, targets in modules.items()}

    def part(module: str) -> str:
        return ".".join(module.split(".")[:2])

    parts: dict[str, set[str]] = {}
    for module, targets in modules.items():
        edges = parts.setdefault(part(module), set())
        edges.update(part(t) for t in targets if part(t) != part(module))
    return strongly_connected(modules), strongly_connected(parts)


def _describe(circles: list[list[str]]) -> str:
    return "\n".join("  " + " ↔ ".join(c) for c in circles)


def test_no_two_modules_import_each_other() -> None:
    modules, _ = import_circles(PACKAGE)
    assert not modules, (
        f"{len(modules)} import circle(s) between modules; give one side a small Protocol "
        f"of what it needs instead of importing the other:\n{_describe(modules)}"
    )


def test_no_two_parts_of_the_package_import_each_other() -> None:
    _, parts = import_circles(PACKAGE)
    assert not parts, (
        f"{len(parts)} import circle(s) between parts of {PACKAGE}; move what both need "
        f"into a lower layer (DESIGN.md, Layers):\n{_describe(parts)}"
    )


def test_a_circle_is_found_at_both_levels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: a throwaway package with a knot through a typing-only import."""
    root = tmp_path / "knotted"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    for init in ("__init__.py", "a/__init__.py", "b/__init__.py"):
        (root / init).write_text("")
    (root / "a" / "one.py").write_text("from knotted.b.two import Two\n")
    (root / "b" / "two.py").write_text(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from knotted.a.one import One
            class Two: ...
            """
        )
    )
    (root / "b" / "three.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    modules, parts = import_circles("knotted")
    assert modules == [["knotted.a.one", "knotted.b.two"]]
    assert parts == [["knotted.a", "knotted.b"]]


if __name__ == "__main__":
    found_modules, found_parts = import_circles(PACKAGE)
    print(f"circles between modules: {len(found_modules)}\n{_describe(found_modules)}")
    print(f"circles between parts of {PACKAGE}: {len(found_parts)}\n{_describe(found_parts)}")
    sys.exit(1 if found_modules or found_parts else 0)
