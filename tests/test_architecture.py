"""The import graph of `grader/`: layers that only import downward, and no loop.

Every `import` counts, those inside functions too: a lazy import is still a dependency.
The layers are the ones `docs/architecture.md` describes; a module that fits none fails
the test, so a new module has to be placed deliberately.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "grader"

#: Lowest first; a module belongs to the first layer with a prefix that matches its name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "plain data",
        (
            "grader.text",
            "grader.rules",
            "grader.errors",
            "grader.answers",
            "grader.syntax",
            "grader.settings",
        ),
    ),
    (
        "inside the student process",
        (
            "grader.sandbox",
            "grader.probes",
            "grader.notebook.serve",
            "grader.notebook.kernel_boot",
            "grader.notebook.connection",
        ),
    ),
    (
        "what grading is about",
        (
            "grader.rubric",
            "grader.course",
            "grader.mutants",
            "grader.result",
            "grader.visibility",
            "grader.submission",
            "grader.notebook.document",
            "grader.notebook.script",
            "grader.relations",
            "grader.truth",
            "grader.choice",
            "grader.crosscheck",
        ),
    ),
    ("running and judging", ("grader.notebook", "grader.checks")),
    ("grading one submission", ("grader.api",)),
    ("presenting results", ("grader.terminal", "grader.report", "grader.outputs")),
    ("checking in a notebook", ("grader.inline",)),
    (
        "classes and course tools",
        ("grader.batch", "grader.assign", "grader.studentkit", "grader.distribution"),
    ),
    ("entry points", ("grader.cli", "grader.__main__", "grader")),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


#: Data, not code: the starters the student kit ships (`grader.studentkit`).
KIT = PACKAGE / "kit"
MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py") if KIT not in path.parents}


def layer(module: str) -> int:
    for number, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/architecture.md")


def imports(module: str) -> Iterator[str]:
    """The grader modules `module` imports (a name imported from a package counts as its module).

    The grader imports absolutely only, which keeps this reading simple and is checked here.
    """
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{module}: relative import of {node.module}"
            base = node.module or ""
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        yield from (t for t in targets if t in MODULES and t != module)


GRAPH = {module: sorted(set(imports(module))) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_own_layer_or_below(module: str) -> None:
    upward = [target for target in GRAPH[module] if layer(target) > layer(module)]
    assert not upward, f"{module} ({LAYERS[layer(module)][0]}) imports upward: {upward}"


def test_no_import_loop() -> None:
    loops = [component for component in strongly_connected(GRAPH) if len(component) > 1]
    assert not loops, f"import loops: {loops}"


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components of `graph`, iteratively (no recursion limit to mind)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(graph[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return components


def test_the_loop_finder_finds_a_loop() -> None:
    assert sorted(map(sorted, strongly_connected({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}))) == [
        ["a", "b", "c"],
        ["d"],
    ]
