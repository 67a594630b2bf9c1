"""Reading a submission without running it: bytes, hash, source text and syntax; and its folder's files."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.syntax import syntax_problem

if TYPE_CHECKING:
    from nbformat import NotebookNode

MAX_BYTES = 10 * 1024 * 1024
#: How Python says an import found nothing, with the top-level module it looked for.
NO_MODULE = re.compile(r"No module named '([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Submission:
    path: Path
    sha256: str
    #: The Python source; of a notebook, its code cells as one script (see grader.notebook.script).
    source: str
    #: Why the submission cannot be run at all (syntax error, not UTF-8, not a notebook), or None.
    problem: str | None = None
    #: A notebook, parsed and validated once: the kernel runs this very document.
    notebook: NotebookNode | None = None

    @property
    def name(self) -> str:
        return self.path.name


def read(path: Path) -> Submission:
    """Read `path` and check that it can be imported; never executes it."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_BYTES:
        return Submission(path, digest, "", f"{path.name} is larger than {MAX_BYTES // 2**20} MiB")
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Submission(path, digest, "", f"{path.name} is not valid UTF-8 text (byte {exc.start})")
    if path.suffix == ".ipynb":
        return _notebook(path, digest, source)
    return Submission(path, digest, source, syntax_problem(source, path.name))


def _notebook(path: Path, digest: str, text: str) -> Submission:
    """A notebook runs despite cells with syntax errors (they raise), unless no cell at all can."""
    from grader.notebook import document, script  # nbformat only for notebooks

    try:
        notebook = document.load(text, path.name)
    except document.NotebookProblem as exc:
        return Submission(path, digest, "", str(exc))
    cells = document.code_cells(notebook)
    source, problem = script.static_source(cells), script.nothing_runs(cells, path.name)
    return Submission(path, digest, source, problem, notebook)


def own_module(path: Path, error_type: str, message: str) -> str | None:
    """The module a failed import looked for, when the student has it beside ``path`` (``utils.py``,
    ``utils/``): only the submission is graded, so it was not there. None for anything else (a package
    that is not installed, say). ``message`` is the student's to choose: only a name is taken from it."""
    match = NO_MODULE.match(message) if error_type == "ModuleNotFoundError" else None
    if match is None:
        return None
    module = match.group(1)
    return module if any(p.exists() for p in (path.parent / f"{module}.py", path.parent / module)) else None


def own_import(path: Path, module: str, line: int | None = None) -> str:
    """What to say of a submission at ``path`` importing ``module`` of the student's own (`own_module`)."""
    at = f" (line {line})" if line else ""
    return (
        f"imports {module}{at}, a module of your own next to it? "
        f"Only {path.name} is graded: put the helpers in it"
    )
