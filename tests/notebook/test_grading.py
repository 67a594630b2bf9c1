"""A notebook gets the score and feedback of the equivalent module: every reference, starter and student.

Each pair is graded once, in a module-scoped fixture, by a few processes at a time
(not threads: memory checks trace a whole process's allocations), each forking its
kernels from one fork server; the parametrized tests then compare.
"""

from __future__ import annotations

import multiprocessing
import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.notebook.forkserver import ForkServer
from grader.result import Result
from tests.notebook.conftest import processes_under
from tests.notebook.convert import notebook_of

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: Students whose code hangs: graded with a short timeout, and started first (they wait the most).
#: One is enough: a call that times out takes the same path, whatever hangs.
HANGS = "exercise11/hangs"
PARALLEL = 3
#: Wrong answers that depend on the order of a set of nodes (``=`` instead of ``+=``, nodes
#: listed twice), so they differ between any two runs, of the module too; only statuses and
#: points must agree.
ORDER_DEPENDENT = {"exercise12/overwritten_grad", "exercise13/duplicate_nodes"}
#: Modules whose import fails (a module of their own, not handed in): nothing of them runs, while
#: their notebook runs every other cell (a cell that raises does not stop a notebook).
IMPORT_FAILS = {"exercise11/imports_helper"}


@dataclass(frozen=True)
class Pair:
    """A module and its notebook, to be graded as ``exercise`` submissions."""

    label: str
    exercise: str
    module: Path
    notebook: Path | None = None  # None: converted from the module, one cell per statement


def pairs() -> list[Pair]:
    found = [
        Pair(f"reference/{p.stem}", p.stem, p) for p in sorted((ROOT / "reference").glob("exercise*.py"))
    ]
    found += [
        Pair(f"starter/{p.stem}", p.stem, p, p.with_suffix(".ipynb"))
        for p in sorted((ROOT / "exercises").glob("exercise*.py"))
    ]
    found += [
        Pair(f"{p.parent.name}/{p.stem}", p.parent.name, p)
        for p in sorted((ROOT / "tests" / "students").glob("exercise*/*.py"))
    ]
    graded = [
        pair
        for pair in found
        if (ROOT / "rubrics" / f"{pair.exercise}.yaml").is_file()
        and (pair.module.stem != "hangs" or pair.label == HANGS)
    ]
    return sorted(graded, key=lambda pair: pair.label != HANGS)


PAIRS = pairs()


#: The fork server of a grading process (see :func:`start_grading_process`).
FORKS: dict[str, ForkServer] = {}


@pytest.fixture(scope="module")
def graded() -> Iterator[dict[str, tuple[Result, Result]]]:
    root = tempfile.mkdtemp(prefix="nbg-")
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PARALLEL, spawn, start_grading_process, (root,)) as pool:
        results = dict(zip([pair.label for pair in PAIRS], pool.map(grade_pair, PAIRS), strict=True))
    try:
        assert processes_under(root) == [], "a kernel outlived its grading"
    finally:
        shutil.rmtree(root, ignore_errors=True)
    yield results


def start_grading_process(root: str) -> None:
    """In each grading process: one fork server, and every kernel's directory under ``root``."""
    FORKS["server"] = ForkServer()
    tempfile.tempdir = root


def grade_pair(pair: Pair) -> tuple[Result, Result]:
    folder = Path(tempfile.mkdtemp())
    module = folder / f"{pair.exercise}.py"
    notebook = folder / f"{pair.exercise}.ipynb"
    shutil.copyfile(pair.module, module)
    if pair.notebook is None:
        notebook.write_text(notebook_of(pair.module.read_text()))
    else:
        shutil.copyfile(pair.notebook, notebook)
    options = {"timeout": 1} if pair.label == HANGS else {}
    return (
        grade_submission(module, course_dir=ROOT, overrides=options, env={}),
        grade_submission(notebook, course_dir=ROOT, overrides=options, env={}, forks=FORKS["server"]),
    )


def verdicts(result: Result) -> list[tuple[str, float]]:
    return [(c.status, c.points) for c in result.checks]


def feedback(result: Result) -> list[tuple[object, ...]]:
    """What the student is told per check, without what must differ: file name and line numbers."""
    return [
        (
            c.id,
            c.status,
            round(c.points, 9),
            c.misconception,
            c.hint,
            same_words(c.message, result.submission),
        )
        for c in result.checks
    ]


#: Measured from outside the worker: the figures differ from run to run (a kernel is not a module).
MEASURED = re.compile(r"\d+(\.\d+)?( (MiB|KiB|GiB|ms)|×)")


def same_words(message: str | None, submission: str) -> str | None:
    if message is None:
        return None
    message = MEASURED.sub("N", message)
    message = re.sub(r"it was running (code cell \d+, )?line \d+", "it was running line N", message)
    return re.sub(r"\(line \d+\)", "(line N)", message.replace(submission, "SUBMISSION"))


@pytest.mark.parametrize("label", [pair.label for pair in PAIRS])
def test_a_notebook_is_graded_like_its_module(label: str, graded: dict[str, tuple[Result, Result]]) -> None:
    module, notebook = graded[label]
    if label in IMPORT_FAILS:
        assert (module.status, notebook.status) == ("error", "graded")
        return
    assert (notebook.status, notebook.score) == (module.status, module.score)
    if module.status == "error":  # a module that does not compile becomes one cell that does not either
        assert (notebook.message or "").startswith(f"{notebook.submission} has no cell that can run")
    elif label in ORDER_DEPENDENT:
        assert verdicts(notebook) == verdicts(module)
    else:
        assert feedback(notebook) == feedback(module)


def test_the_starters_run_and_every_function_reports_not_implemented(
    graded: dict[str, tuple[Result, Result]],
) -> None:
    _, notebook = graded["starter/exercise11"]
    assert notebook.status == "graded" and notebook.score == 0  # an untouched starter earns nothing
    for check in notebook.checks:
        if check.id != "by-hand.static":
            assert check.status == "error" and "is not implemented yet" in (check.message or "")
