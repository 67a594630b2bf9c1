"""`static`: rules on the submission's source, decided without running it."""

from __future__ import annotations

import ast

from grader.checks.base import Context, Judgement
from grader.result import Finding
from grader.rubric import Check


def judge(check: Check, ctx: Context) -> Judgement:
    found = forbidden_imports(ctx.source, set(check.forbid_imports))
    if not found:
        return Judgement("passed", 1.0)
    for module, line in found:
        ctx.integrity.append(Finding("forbidden-import", f"{ctx.filename} imports {module} (line {line})"))
    module, line = found[0]
    why = "this exercise must be done by hand with numpy"
    return Judgement("failed", message=f"{ctx.filename} imports {module} (line {line}): {why}")


def forbidden_imports(source: str, forbidden: set[str]) -> list[tuple[str, int]]:
    """(module, line) of every import of a forbidden top-level package, incl. `__import__("x")`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
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


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    first = node.args[0] if node.args else None
    return (
        name in ("__import__", "import_module")
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
    )
