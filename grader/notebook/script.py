"""The Python a notebook runs, as one script for the static checks (forbidden imports).

IPython syntax is blanked out rather than executed or transformed: a line magic or
shell escape becomes ``pass``, a cell magic that runs Python (``%%capture``,
``%%time``) is unwrapped, and a cell that is not Python at all (``%%bash``, a
syntax error) is left out, so one bad cell cannot hide the imports of the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from grader.notebook.document import CodeCell
from grader.syntax import syntax_problem

CELL_MAGIC = re.compile(r"%%(\w+)[^\n]*(\n|$)")
#: Cell magics whose body is ordinary Python code.
PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun"})
#: ``%time f()``, ``!ls``, ``?obj``, ``files = !ls``, ``x = %who_ls``.
MAGIC_LINE = re.compile(r"^([ \t]*)(?:[%!?]|[\w, ]+=[ \t]*[%!]).*$", re.MULTILINE)


def static_source(cells: Sequence[CodeCell]) -> str:
    """Every cell's Python, each under a ``# cell N`` comment."""
    parts = []
    for cell in cells:
        code = python_of(cell.source)
        parts.append(
            f"# cell {cell.number}\n{code}" if code is not None else f"# cell {cell.number}: not Python"
        )
    return "\n\n".join(parts) + "\n"


def python_of(cell: str) -> str | None:
    """The cell's code with IPython syntax blanked out, or None when that is not valid Python."""
    code = _blank_magics(cell)
    return code if code is not None and syntax_problem(code, "cell") is None else None


def nothing_runs(cells: Sequence[CodeCell], name: str) -> str | None:
    """Why no cell of notebook ``name`` can run, when that is so (a notebook that runs at all is graded)."""
    if not cells or any(python_of(cell.source) is not None for cell in cells):
        return None
    first = cells[0]
    code = _blank_magics(first.source)
    why = syntax_problem(code, f"cell {first.number}") if code is not None else None
    return f"{name} has no cell that can run: {why or f'cell {first.number} is not Python'}"


def _blank_magics(cell: str) -> str | None:
    """``pass`` for each magic line, unwrapped Python cell magics; None for other cell magics."""
    while (magic := CELL_MAGIC.match(cell)) is not None:
        if magic.group(1) not in PYTHON_CELL_MAGICS:
            return None
        cell = cell[magic.end() :]
    return MAGIC_LINE.sub(r"\1pass", cell)
