"""How long grading a notebook takes, as a ratio to running it with nbclient alone.

The floor, measured in the same run and interleaved with the grading, is what any
notebook grader pays before it can check anything: start a kernel and execute the
notebook with nbclient (``NotebookClient(nb).execute()``, which also shuts the
kernel down). Each reference solution, split into one cell per statement, is
graded in this process (imports warm, as in ``grade DIR`` after the first file)
with a kernel started from scratch; so is the module itself, which shows what the
checks cost whatever the submission's form. Then the whole chapter is graded with
one fork server, as ``grade DIR`` does, against the sum of the eight floors.

    python benchmarks/bench_notebook.py [--reps 5]

Goal: each notebook within 1.3x of its floor.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.api import grade_submission
from grader.notebook.forkserver import for_notebooks

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the converter the tests use
from tests.notebook.convert import notebook_of  # noqa: E402

GOAL = 1.3


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence the kernels nbclient starts: they log to the inherited stderr."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def floor(path: Path) -> None:
    with quiet_stderr():
        NotebookClient(nbformat.read(path, as_version=4), allow_errors=True).execute()


def grade(path: Path) -> None:
    result = grade_submission(path, course_dir=ROOT, env={})
    if result.score != result.max_score:
        raise SystemExit(f"{path.name} scored {result.score} of {result.max_score}: the benchmark is broken")


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def medians(notebook: Path, module: Path, reps: int) -> tuple[float, float, float]:
    """Median floor, notebook and module grading times, interleaved so that load hits all alike."""
    floors, notebooks, modules = [], [], []
    for _ in range(reps):
        floors.append(timed(lambda: floor(notebook)))
        notebooks.append(timed(lambda: grade(notebook)))
        modules.append(timed(lambda: grade(module)))
    return statistics.median(floors), statistics.median(notebooks), statistics.median(modules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        chapter = Path(tmp)
        modules = Path(tmp) / "modules"
        modules.mkdir()
        for ref in sorted((ROOT / "reference").glob("exercise1?.py")):
            (chapter / f"{ref.stem}.ipynb").write_text(notebook_of(ref.read_text()))
            (modules / ref.name).write_text(ref.read_text())
        notebooks = sorted(chapter.glob("*.ipynb"))
        grade(notebooks[0])  # warm the grader's own imports and caches
        print(f"{'notebook':18} {'floor':>8} {'graded':>8} {'ratio':>6}   {'as .py':>8}")
        floors = []
        for path in notebooks:
            floor_s, notebook_s, module_s = medians(path, modules / f"{path.stem}.py", args.reps)
            floors.append(floor_s)
            ratio = notebook_s / floor_s
            verdict = "" if ratio <= GOAL else f"  (goal {GOAL}x not met)"
            ms = [f"{seconds * 1000:5.0f} ms" for seconds in (floor_s, notebook_s, module_s)]
            print(f"{path.name:18} {ms[0]} {ms[1]} {ratio:5.2f}x   {ms[2]}{verdict}")

        def whole_chapter() -> None:
            with for_notebooks(notebooks) as forks:
                for path in notebooks:
                    grade_submission(path, course_dir=ROOT, env={}, forks=forks)

        chapter_s = statistics.median(timed(whole_chapter) for _ in range(max(args.reps // 2, 2)))
        ratio = chapter_s / sum(floors)
        print(
            f"whole chapter, one fork server: {chapter_s * 1000:.0f} ms = {ratio:.2f}x the sum of the floors"
        )


if __name__ == "__main__":
    main()
