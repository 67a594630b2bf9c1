"""`grade_batch`: grade a class folder in parallel, resumably, then write the class's outputs.

Everything that can be wrong with the command (the folder, rubrics, course, settings,
roster, scheduler, an output folder already in use) is a `UsageError` before any
submission is graded. After that, nothing a submission does stops the batch: each
submission ends as one journal row, written as soon as it is graded, after its report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import IO, Any, Literal

from tqdm import tqdm

from grader import course as course_module
from grader import settings as settings_module
from grader.batch import gradebook, journal, summary
from grader.batch.dask_cluster import DaskCluster
from grader.batch.discover import Entry, Ignored, Roll, discover
from grader.batch.files import report_stem, write_atomic
from grader.batch.local_pool import LocalPool
from grader.batch.task import Graded, Task, failure
from grader.errors import CourseError, UsageError
from grader.rubric import Rubric, load
from grader.settings import given

ExecutorKind = Literal["local", "dask"]


@dataclass(frozen=True)
class BatchReport:
    """What a batch did, for the command line's closing lines."""

    out: Path
    students: int
    #: Submissions graded by this run, and how many of them could not be graded.
    graded: int
    failed: int
    #: Already in the journal with the same file hash (--resume).
    skipped: int
    ignored: list[Ignored]
    #: Students the Canvas roster does not name (not in canvas.csv).
    unmatched: list[str]


@dataclass(frozen=True)
class _Plan:
    """What the batch grades and how, all validated before grading starts."""

    roll: Roll
    rubrics: dict[str, Rubric]
    template: Task


def grade_batch(
    directory: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    resume: bool = False,
    rubric: str | os.PathLike[str] | None = None,
    course: str | os.PathLike[str] | None = None,
    canvas: str | os.PathLike[str] | None = None,
    executor: ExecutorKind = "local",
    scheduler: str | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    eps: float | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    output_kb: int | None = None,
    environ: Mapping[str, str] | None = None,
    progress: IO[str] | None = None,
) -> BatchReport:
    """Grade every student under `directory` into `out` (SPEC §3 `grade batch`).

    The keywords are the command line's options, settings included (as in `grader.grade`);
    `environ` supplies GRADER_* variables (default: os.environ); `progress` receives a
    progress bar when it is a terminal. Raises `grader.errors.UsageError` before grading
    anything when the command cannot be carried out.
    """
    out = Path(out)
    environ = os.environ if environ is None else environ
    overrides = given(
        atol=atol, rtol=rtol, eps=eps, timeout=timeout, memory_mb=memory_mb, output_kb=output_kb
    )
    plan = _plan(Path(directory), out, rubric, course, overrides, environ)
    roster = gradebook.Roster.load(Path(canvas)) if canvas else None
    with _executor(executor, scheduler, jobs) as pool, journal.Journal(out / journal.NAME, resume) as book:
        todo = [e for e in plan.roll.entries if not book.done(e.key, e.sha256)]
        failed = _grade(todo, plan.template, pool, book, out, progress)
        unmatched = _write_outputs(plan, book, out, roster)
    return BatchReport(
        out=out,
        students=len(plan.roll.students),
        graded=len(todo),
        failed=failed,
        skipped=len(plan.roll.entries) - len(todo),
        ignored=plan.roll.ignored,
        unmatched=unmatched,
    )


def _plan(
    directory: Path,
    out: Path,
    rubric: str | os.PathLike[str] | None,
    course: str | os.PathLike[str] | None,
    settings: dict[str, Any],
    environ: Mapping[str, str],
) -> _Plan:
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory (expected a folder with one entry per student)")
    settings_module.resolve(cli=settings, env=environ)  # every setting is valid before grading starts
    where = _course(course, required=rubric is None)
    given = load(Path(rubric)) if rubric is not None else None
    roll = discover(directory, given.exercise if given else None, lambda e: _has_rubric(where, e), out)
    if given is not None:
        rubrics = {given.exercise: given}
    else:
        assert where is not None
        rubrics = {e: load(course_module.rubric_path(where, e)) for e in roll.exercises}
    names = set(settings_module.ENV.values())
    template = Task(
        student="",
        exercise="",
        path="",
        sha256="",
        rubric=str(Path(rubric).resolve()) if rubric is not None else None,
        course=str(where) if where is not None else None,
        settings=settings,
        environ={k: v for k, v in environ.items() if k in names},
    )
    return _Plan(roll, rubrics, template)


def _course(course: str | os.PathLike[str] | None, required: bool) -> Path | None:
    """The course directory: needed to find rubrics by name; optional with --rubric, unless given."""
    if course is None and not required:
        return None
    return course_module.find_course(Path(course).resolve() if course is not None else None)


def _has_rubric(where: Path | None, exercise: str) -> bool:
    try:
        return where is not None and course_module.rubric_path(where, exercise).is_file()
    except CourseError:
        return False


def _executor(kind: ExecutorKind, scheduler: str | None, jobs: int | None) -> LocalPool | DaskCluster:
    if kind == "dask":
        if not scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskCluster(scheduler)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: expected at least 1")
    return LocalPool(jobs or _cores())


def _cores() -> int:
    """The cores this process may use: its affinity mask where the OS has one (not macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _grade(
    entries: list[Entry],
    template: Task,
    pool: LocalPool | DaskCluster,
    book: journal.Journal,
    out: Path,
    progress: IO[str] | None,
) -> int:
    """Grade `entries`, recording each as it finishes; how many could not be graded."""
    unreadable = (_unreadable(e) for e in entries if e.problem)
    tasks = (_task(template, e) for e in entries if not e.problem)
    graded = (Graded.loads(text) for text in pool.run(tasks))
    failed = 0
    with _progress_bar(len(entries), progress) as bar:
        for outcome in chain(unreadable, graded):
            _record(outcome, out, book)
            failed += outcome.failed
            bar.set_postfix_str(f"{failed} could not be graded", refresh=False)
            bar.update()
    return failed


def _task(template: Task, entry: Entry) -> Task:
    assert entry.path is not None
    path = str(entry.path.absolute())
    return replace(template, student=entry.student, exercise=entry.exercise, path=path, sha256=entry.sha256)


def _unreadable(entry: Entry) -> Graded:
    name = entry.path.name if entry.path else ""
    return failure(entry.student, entry.exercise, name, entry.sha256, entry.problem or "")


def _record(outcome: Graded, out: Path, book: journal.Journal) -> None:
    """The student's report and JSON first, then the journal line that marks the submission done."""
    if outcome.html is not None:
        folder = out / outcome.student
        stem = report_stem(outcome.result)
        write_atomic(folder / f"{stem}.json", json.dumps(outcome.result, indent=2) + "\n")
        write_atomic(folder / f"{stem}.html", outcome.html)
    book.append(outcome.row)


def _progress_bar(total: int, stream: IO[str] | None) -> tqdm:
    """Counts, failures and ETA on a terminal; silent elsewhere (the command prints a closing line)."""
    shown = stream is not None and stream.isatty()
    return tqdm(total=total, file=stream, disable=not shown, unit="submission", dynamic_ncols=True)


def _write_outputs(
    plan: _Plan, book: journal.Journal, out: Path, roster: gradebook.Roster | None
) -> list[str]:
    """grades.csv, canvas.csv and summary.html from the latest row of each entry; unmatched students."""
    students = plan.roll.students
    grades = gradebook.Gradebook(students, plan.rubrics)
    tallies = summary.ClassSummary(students, plan.rubrics, plan.roll.ignored)
    for row in book.latest(e.key for e in plan.roll.entries):
        grades.add(row)
        tallies.add(row)
    write_atomic(out / gradebook.GRADES, grades.grades_csv())
    write_atomic(out / summary.NAME, tallies.render())
    if roster is None:
        return []
    text, unmatched = grades.canvas_csv(roster)
    write_atomic(out / gradebook.CANVAS, text)
    return unmatched
