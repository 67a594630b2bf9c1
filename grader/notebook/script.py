"""The Python a notebook runs: as one script for the static checks, and cell by cell in the kernel.

For the static checks (forbidden imports) IPython syntax is blanked out rather than
executed or transformed: a line magic or shell escape becomes ``pass``, a cell magic
that runs Python (``%%capture``, ``%%time``) is unwrapped, and a cell that is not
Python at all (``%%bash``, a syntax error) is left out, so one bad cell cannot hide
the imports of the others.

In the kernel, shell commands cannot run (the sandbox starts no process), so they are
left out before a cell runs (`runnable`): each becomes ``pass`` (lines keep their
numbers) and a shell cell (``%%bash``) is not run at all; the rest of the notebook runs.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass

from grader.notebook.document import CodeCell, cell_name
from grader.syntax import syntax_problem

CELL_MAGIC = re.compile(r"%%(\w+|!)[^\n]*(\n|$)")
#: Cell magics whose body is ordinary Python code.
PYTHON_CELL_MAGICS = frozenset({"capture", "time", "timeit", "prun"})
#: Cell magics whose body is run by another program (IPython's script magics, ``%%sx``).
SHELL_CELL_MAGICS = frozenset(
    {"!", "sx", "system", "script", "sh", "bash", "perl", "ruby", "python", "python2", "python3", "pypy"}
)
#: ``%time f()``, ``!ls``, ``?obj``, ``files = !ls``, ``x = %who_ls``.
MAGIC_LINE = re.compile(r"^([ \t]*)(?:[%?]|!(?!=)|[\w, ]+=[ \t]*[%!]).*$", re.MULTILINE)
#: Line magics that run a program; IPython also runs them written without the ``%`` (automagic).
SHELL_MAGICS = r"(?:system|sx|pip|conda|mamba|micromamba|uv)"
#: ``!pip install numpy``, ``files = !ls``, ``%pip install numpy``, ``pip install numpy`` (not Python:
#: a name followed by a word that is no keyword).
SHELL_LINE = re.compile(
    rf"^(?P<indent>[ \t]*)(?P<command>(?:[\w, ]+=[ \t]*)?(?:!(?!=)|%{SHELL_MAGICS}\b).*"
    rf"|{SHELL_MAGICS}[ \t]+(?P<word>[A-Za-z_]\w*).*)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Runnable:
    """What the kernel runs of a cell during grading, and the shell commands left out of it."""

    #: The cell with each shell command a ``pass``, or None for a cell run by another program.
    code: str | None
    commands: tuple[str, ...] = ()


def static_source(cells: Sequence[CodeCell]) -> str:
    """Every cell's Python, each under a ``# code cell N`` comment."""
    parts = []
    for cell in cells:
        code = python_of(cell.source)
        parts.append(
            f"# {cell_name(cell.number)}\n{code}"
            if code is not None
            else f"# {cell_name(cell.number)}: not Python"
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
    why = syntax_problem(code, cell_name(first.number)) if code is not None else None
    return f"{name} has no cell that can run: {why or f'{cell_name(first.number)} is not Python'}"


def runnable(cell: str) -> Runnable:
    """The cell as the kernel runs it during grading: without its shell commands."""
    body = cell
    while (magic := CELL_MAGIC.match(body)) is not None:
        if magic.group(1) in SHELL_CELL_MAGICS:
            return Runnable(None, (magic.group(0).strip(),))
        if magic.group(1) not in PYTHON_CELL_MAGICS:
            return Runnable(cell)  # %%html, %%writefile: not Python, and no program to run
        body = body[magic.end() :]
    commands: list[str] = []

    def skip(line: re.Match[str]) -> str:
        if line["word"] and keyword.iskeyword(line["word"]):
            return line.group(0)  # ``pip if x else y`` is Python
        commands.append(line["command"].strip())
        return f"{line['indent']}pass"

    code = cell[: len(cell) - len(body)] + SHELL_LINE.sub(skip, body)
    return Runnable(code, tuple(commands))


def _blank_magics(cell: str) -> str | None:
    """``pass`` for each magic line, unwrapped Python cell magics; None for other cell magics."""
    while (magic := CELL_MAGIC.match(cell)) is not None:
        if magic.group(1) not in PYTHON_CELL_MAGICS:
            return None
        cell = cell[magic.end() :]
    code = runnable(cell).code
    return MAGIC_LINE.sub(r"\1pass", code) if code is not None else None
