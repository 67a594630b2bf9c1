"""`static`: rules on the submission's source, decided without running it.

Two rules, the first that fails decides the message: no forbidden import (an autograd
library would do the exercise), and the graded code is the student's own work. A static
point rewards doing the exercise by hand, so an empty file or an untouched starter earns
nothing: every name the rubric's other checks require must be defined at the top level,
and at least one must be more than a stub. Both are read from the source (the grader's
own parse), never from what the submission's process says it defines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from grader.checks.base import Context, Judgement
from grader.result import Finding
from grader.rubric import Check

BY_HAND = "this exercise must be done by hand with numpy"
NO_POINTS = "no points yet"
#: Methods a starter gives for free besides private helpers: they say nothing about the student's work.
GIVEN_METHODS = frozenset({"__init__", "__repr__", "__str__"})
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def judge(check: Check, ctx: Context) -> Judgement:
    tree = _parsed(ctx.source)  # once, for both rules
    found = forbidden_imports(tree, set(check.forbid_imports))
    for module, line in found:
        ctx.integrity.append(Finding("forbidden-import", f"{ctx.filename} imports {module} (line {line})"))
    if found:
        module, line = found[0]
        return Judgement("failed", message=f"{ctx.filename} imports {module} (line {line}): {BY_HAND}")
    unstarted = not_started(tree, graded_names(ctx), ctx.filename)
    if unstarted is not None:
        return Judgement("failed", message=unstarted)
    return Judgement("passed", 1.0)


def graded_names(ctx: Context) -> list[str]:
    """The names the rubric's other checks require (their probes' `requires`), in rubric order."""
    names: list[str] = []
    for check in ctx.rubric.checks:
        if check.probe:
            names += [name for name in ctx.probe(check).requires if name not in names]
    return names


def not_started(tree: ast.Module | None, names: Iterable[str], filename: str) -> str | None:
    """Why the module `tree` has no work of its own on `names` yet, or None when it has some.

    A name counts as defined when the top level binds it (the last binding wins, as a
    notebook's later cell does); it is a stub when it is a function whose body only raises
    NotImplementedError, passes or holds a docstring, or a class whose methods all are
    (see `_is_stub_class`). Anything else bound to the name (an assignment, an import) is
    taken as the student's.
    """
    names = list(names)
    if not names:
        return None
    bound = dict(_bound(tree.body)) if tree is not None else {}
    missing = [name for name in names if name not in bound]
    if missing:
        return f"{NO_POINTS}: {filename} does not define {_listed(missing, 'or')}"
    stubs = [name for name in names if _is_stub(bound[name])]
    if len(stubs) < len(names):
        return None
    are = "is still the starter's stub" if len(stubs) == 1 else "are still the starter's stubs"
    return f"{NO_POINTS}: {_listed(stubs, 'and')} {are}"


def _bound(nodes: Iterable[ast.AST]) -> Iterator[tuple[str, ast.AST]]:
    """(name, statement) in source order; `if`, `try`, `with` and loop bodies run at the top level too."""
    for node in nodes:
        if isinstance(node, Definition):
            yield node.name, node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield from ((alias.asname or alias.name.split(".")[0], node) for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = (n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            yield from ((name, node) for name in names)
        elif isinstance(node, ast.stmt | ast.excepthandler):
            yield from _bound(ast.iter_child_nodes(node))


def _is_stub(node: ast.AST) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return _is_stub_body(node.body)
    if isinstance(node, ast.ClassDef):
        return _is_stub_class(node)
    return False


def _is_stub_class(node: ast.ClassDef) -> bool:
    """A class whose own methods, past what a starter gives (constructor, `__repr__`, private
    helpers), are all stubs; or, with none of those, an empty class that inherits nothing."""
    methods = [
        item
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not _given(item.name)
    ]
    if methods:
        return all(_is_stub_body(method.body) for method in methods)
    return not node.bases


def _given(name: str) -> bool:
    private = name.startswith("_") and not name.endswith("__")
    return name in GIVEN_METHODS or private


def _is_stub_body(body: list[ast.stmt]) -> bool:
    """Only `pass`, `...`, a docstring or `raise NotImplementedError(...)`."""
    return all(_is_placeholder(statement) for statement in body)


def _is_placeholder(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return statement.value.value is Ellipsis or isinstance(statement.value.value, str)
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


def _listed(names: list[str], conjunction: str) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def forbidden_imports(tree: ast.Module | None, forbidden: set[str]) -> list[tuple[str, int]]:
    """(module, line) of every import of a forbidden top-level package in the module `tree`, incl.
    `__import__("x")`."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree) if tree is not None else ():
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            names = [node.args[0].value]  # type: ignore[attr-defined]
        line = getattr(node, "lineno", 0)
        found += [(name, line) for name in names if name.split(".")[0] in forbidden]
    return found


def _parsed(source: str) -> ast.Module | None:
    """The module's syntax tree; None for one that does not compile (never graded this far)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    first = node.args[0] if node.args else None
    return (
        name in ("__import__", "import_module")
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
    )
