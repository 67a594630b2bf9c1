"""Generate student starters (`exercises/`) from the reference solutions.

Starters are never hand-copied: every solution region of `reference/exerciseNN.py`
becomes a `raise NotImplementedError` stub, so the two cannot drift apart. The correct
values the visible checks compare with are generated from the reference too, and so is the
student kit the package ships (`grader.studentkit`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import studentkit
from grader.errors import CourseError, RegionError

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
EXERCISE_FILE = re.compile(r"^exercise\d\d\.py$")
#: The starter notebooks' last cell: the student's inline check (`grader.check`), which does nothing
#: when the grader runs the notebook.
CHECK_CELL = """\
# Check your work here, as often as you like: this grades what the notebook defines now (the
# visible checks; the others run on the course autograder). When you are done, save this
# notebook and run `grade {stem}.ipynb` in a terminal for the full report.
import grader

grader.check()"""


@dataclass(frozen=True)
class Starter:
    """The generated starter files of one exercise, as text."""

    stem: str
    python: str
    notebook: str


def strip_solutions(source: str, filename: str = "<reference>") -> str:
    """Replace each solution region with a stub raising NotImplementedError."""
    lines = source.splitlines()
    owners = _function_names(source)
    out: list[str] = []
    start: int | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if start is not None:
                raise RegionError(f"{filename}:{number}: nested {BEGIN} (opened at line {start})")
            start, indent = number, line[: len(line) - len(line.lstrip())]
            if number not in owners:
                raise RegionError(f"{filename}:{number}: {BEGIN} outside a function body")
            out.append(f'{indent}raise NotImplementedError("{owners[number]}: your code here")')
        elif stripped == END:
            if start is None:
                raise RegionError(f"{filename}:{number}: {END} without {BEGIN}")
            start = None
        elif start is None:
            out.append(line)
    if start is not None:
        raise RegionError(f"{filename}:{start}: {BEGIN} is never closed")
    return "\n".join(out) + "\n"


def _function_names(source: str) -> dict[int, str]:
    """Map every line inside a function to that function's qualified name."""
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualname = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                        names[line] = qualname
                visit(child, qualname + ".")

    visit(ast.parse(source), "")
    return names


def starter(reference_file: Path) -> Starter:
    """Build the .py and .ipynb starters for one reference module."""
    stem = reference_file.stem
    code = strip_solutions(reference_file.read_text(encoding="utf-8"), str(reference_file))
    closing = f"# When you are done, check your work with:  grade {stem}.py\n"
    return Starter(stem, code + "\n\n" + closing, _notebook(stem, code))


def _notebook(stem: str, code: str) -> str:
    """One markdown cell for the statement, one code cell per top-level block, and last the cell that
    checks the work in place."""
    tree = ast.parse(code)
    statement = ast.get_docstring(tree) or ""
    body = tree.body[1:] if statement else tree.body
    lines = code.splitlines()
    cells = [nbformat.v4.new_markdown_cell(f"# {stem}\n\n{statement}")]
    for chunk in _chunks(body, lines):
        cells.append(nbformat.v4.new_code_cell(chunk))
    cells.append(nbformat.v4.new_code_cell(CHECK_CELL.format(stem=stem)))
    for index, cell in enumerate(cells):
        cell["id"] = f"{stem}-{index}"
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _chunks(body: list[ast.stmt], lines: list[str]) -> list[str]:
    """Source of consecutive imports as one chunk, then each other statement alone."""
    chunks: list[list[str]] = []
    previous_import = False
    for node in body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = lines[first - 1 : node.end_lineno]
        is_import = isinstance(node, ast.Import | ast.ImportFrom)
        if is_import and previous_import:
            chunks[-1].extend(text)
        else:
            chunks.append(list(text))
        previous_import = is_import
    return ["\n".join(chunk) for chunk in chunks]


def reference_files(course: Path) -> list[Path]:
    """The reference modules that have a student starter, in exercise order."""
    folder = course / "reference"
    if not folder.is_dir():
        raise CourseError(f"{course} has no reference/ folder: starters are made in the course repository")
    return sorted(p for p in folder.iterdir() if EXERCISE_FILE.match(p.name))


def assign(course: Path, check: bool = False) -> list[Path]:
    """Write (or, with `check`, compare) every starter, shipped truth and the student kit; return the
    files that differ (and those the kit holds but should not).

    The truth files (`rubrics/exerciseNN.truth.json`, see `grader.truth`) are what a course
    without solutions needs to judge the visible checks like the course's autograder does. The
    kit is made last, from the course's files as this call leaves them.
    """
    stale: list[Path] = []
    for ref in reference_files(course):
        made = starter(ref)
        for suffix, text in ((".py", made.python), (".ipynb", made.notebook)):
            stale += _sync(course / "exercises" / f"{made.stem}{suffix}", text, check)
        stale += _truth(course, made.stem, check)
    kit = studentkit.files(course)
    for target, text in kit.items():
        stale += _sync(target, text, check)
    for target in studentkit.extra(course, kit):
        stale.append(target)
        if not check:
            target.unlink()
    return stale


def _sync(target: Path, text: str, check: bool) -> list[Path]:
    """[target] when it does not hold `text` (then written, unless `check`); [] when it does."""
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return []
    if not check:
        _write(target, text)
    return [target]


def _truth(course: Path, exercise: str, check: bool) -> list[Path]:
    """The exercise's shipped truth, if it has a rubric and probes: [] when up to date."""
    from grader import course as course_module
    from grader import truth
    from grader.rubric import load

    rubric_file = course / "rubrics" / f"{exercise}.yaml"
    if not rubric_file.is_file() or importlib.util.find_spec(f"grader.probes.{exercise}") is None:
        return []
    rubric = load(rubric_file)
    reference = course_module.load_reference(course, exercise)
    data = truth.shipped_values(rubric, importlib.import_module(f"grader.probes.{exercise}"), reference)
    target = truth.data_path(rubric_file)
    if target.is_file() and truth.same(truth.read(target), data):
        return []
    if not check:
        _write(target, truth.dumps(data))
    return [target]


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
