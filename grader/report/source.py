"""The student's code in the report: where it failed, and the function a failing check is about.

The worker already trims tracebacks to the submission's own frames; this module only
parses that text and cuts excerpts from the submission's sources, which it holds by
the file names tracebacks use (a module's name; ``exercise11.ipynb, code cell 3`` for
a notebook's cell), so a notebook gets excerpts in context like a module. All of it
is the student's text: only the last `TRACEBACK_CHARS` of a traceback are read, and
every quoted line, file and function name is one inert line of bounded length
(`grader.text`); a function is quoted up to `FUNCTION_LINES` lines.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.notebook.document import NotebookProblem, cell_name, code_cells, load
from grader.notebook.script import python_of
from grader.text import LINE_CHARS, TRACEBACK_CHARS, name_line, one_line

#: The submission's code by the file name its tracebacks give it.
Sources = Mapping[str, str]

FRAME = re.compile(r'^\s*File "(?P<file>[^"]*)", line (?P<line>\d+), in (?P<function>.*)$')
#: Python 3.11+ marks the failing expression with a line of carets; the whole line is highlighted instead.
CARETS = re.compile(r"^\s*[~^]+\s*$")
#: "line 18" in a message such as "has a syntax error at line 18, column 30".
LINE_IN_MESSAGE = re.compile(r"\bline (\d+)\b")
#: "code cell 3" in a message about a notebook.
CELL_IN_MESSAGE = re.compile(r"\bcode cell (\d+)\b")
CONTEXT = 2
MAX_FRAMES = 6
FUNCTION_LINES = 40


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    offending: bool


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str
    lines: list[Line]


@dataclass(frozen=True)
class Function:
    """A function of the submission, quoted whole (up to `FUNCTION_LINES`) beside a failing check."""

    name: str
    file: str
    lines: list[Line]
    #: Lines left out at its end.
    more: int


def sources_of(submission: Path) -> dict[str, str]:
    """What a report may quote of `submission`: a module's text, or each code cell of a notebook."""
    text = submission.read_text(encoding="utf-8", errors="replace")
    if submission.suffix != ".ipynb":
        return {submission.name: text}
    try:
        cells = code_cells(load(text, submission.name))
    except NotebookProblem:
        return {}
    return {f"{submission.name}, {cell_name(cell.number)}": cell.source for cell in cells}


def frames(traceback: str, sources: Sources) -> list[Frame]:
    """The last frames of a traceback, each with its lines of the submission around the failing one."""
    found: list[Frame] = []
    for text in traceback[-TRACEBACK_CHARS:].splitlines():
        header = FRAME.match(text)
        if header:
            number = int(header["line"])
            source = sources.get(header["file"])
            excerpt = excerpt_at(source, number) if source else []
            found.append(Frame(name_line(header["file"]), number, name_line(header["function"]), excerpt))
        elif found and not found[-1].lines and text.strip() and not CARETS.match(text):
            last = found[-1]
            found[-1] = Frame(last.file, last.line, last.function, [_line(last.line, text.strip(), True)])
    return found[-MAX_FRAMES:]


def excerpt_at(source: str, number: int) -> list[Line]:
    """A few numbered lines around line `number` (1-based), that line marked offending."""
    lines = source.splitlines()
    if not 1 <= number <= len(lines):
        return []
    first, last = max(1, number - CONTEXT), min(len(lines), number + CONTEXT)
    return [_line(n, lines[n - 1], n == number) for n in range(first, last + 1)]


def problem_excerpt(message: str | None, submission: str, sources: Sources) -> list[Line]:
    """The lines a grader message points at ("line 18", or "code cell 3 … line 2" in a notebook)."""
    line = LINE_IN_MESSAGE.search(message or "")
    cell = CELL_IN_MESSAGE.search(message or "")
    source = sources.get(f"{submission}, {cell_name(int(cell[1]))}" if cell else submission)
    return excerpt_at(source, int(line[1])) if source and line else []


def function(
    names: Iterable[str], sources: Sources, offending: Iterable[tuple[str, int]] = ()
) -> Function | None:
    """The last definition of the first of `names` the submission defines at its top level (a later
    notebook cell wins, as when it runs), its `offending` (file, line) pairs marked."""
    marked = set(offending)
    for name in names:
        found = None
        for file, text in sources.items():
            for node in _top_level(text):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                    found = (file, text, node)
        if found is not None:
            file, text, node = found
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            shown = range(first, min(last, first + FUNCTION_LINES - 1) + 1)
            lines = text.splitlines()
            quoted = [_line(n, lines[n - 1], (file, n) in marked) for n in shown if n <= len(lines)]
            return Function(name_line(name), name_line(file), quoted, last - shown[-1])
    return None


@functools.lru_cache(maxsize=32)  # each failing check of a report looks through the same sources
def _top_level(text: str) -> tuple[ast.stmt, ...]:
    """The statements of a module or cell: a cell with IPython syntax is read with it blanked out,
    unless that moves its lines (an unwrapped cell magic); none when it is not Python."""
    for code in (text, python_of(text)):
        if code is None or code.count("\n") != text.count("\n"):
            continue
        try:
            return tuple(ast.parse(code).body)
        except (SyntaxError, ValueError):
            continue
    return ()


def _line(number: int, text: str, offending: bool) -> Line:
    return Line(number, one_line(text, LINE_CHARS), offending)
