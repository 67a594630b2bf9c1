"""`grade_batch`: grade a class folder in parallel, resumably, then write the class's outputs.

Everything that can be wrong with the command (the folder, rubrics, course, settings,
roster, scheduler, an output folder already in use, a class of which nothing can be
graded as called, a bad line of OUT/overrides.csv) is a `UsageError` before any submission is
graded. After that, nothing
a submission does stops the batch: each student's exercise ends as one journal row,
written as soon as it is graded, after its reports. A run that finishes compacts the
journal, then writes the gradebooks and the summary from it.

A TA's overrides (OUT/overrides.csv, `grader.batch.overrides`) win over the grader's scores
on every run: before the journal is compacted, each row gets the `override` the file gives
it now (a new journal line when that changed), and every output is written from those rows:
the students' JSON and reports (`reports`), the gradebooks, the summary, the LMS's files
(`lms_out`). A second batch into the same OUT is refused unless it continues the first
(`resume`: only new or changed submissions are graded) or regrades it all (`regrade`);
either way overrides.csv is kept and applied.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import IO, Any, Literal

from tqdm import tqdm

from grader import course as course_module
from grader import settings as settings_module
from grader.batch import gradebook, journal, lms_out, overrides, reports, summary
from grader.batch.counts import Counts
from grader.batch.dask_cluster import DaskCluster
from grader.batch.discover import Entry, Ignored, Roll, discover
from grader.batch.files import write_atomic
from grader.batch.intake import Intake, gather
from grader.batch.intake.plain import described
from grader.batch.local_pool import LocalPool
from grader.batch.task import Graded, Task, failure
from grader.crosscheck import verified
from grader.errors import CourseError, UsageError
from grader.rubric import Rubric, load
from grader.settings import given
from grader.visibility import release_asked

ExecutorKind = Literal["local", "dask"]


@dataclass(frozen=True)
class BatchReport:
    """What a batch did, for the command line's closing lines."""

    out: Path
    #: Students, submissions, and what became of them (as summary.html says it).
    counts: Counts
    ignored: list[Ignored]
    #: Students the Canvas roster does not name (not in canvas.csv).
    unmatched: list[str]
    #: The layout found and what each student handed in (the table shown before grading).
    intake: Intake


@dataclass(frozen=True)
class _Plan:
    """What the batch grades and how, all validated before grading starts."""

    roll: Roll
    rubrics: dict[str, Rubric]
    template: Task
    intake: Intake


def grade_batch(
    directory: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    resume: bool = False,
    regrade: bool = False,
    rubric: str | os.PathLike[str] | None = None,
    course: str | os.PathLike[str] | None = None,
    canvas: str | os.PathLike[str] | None = None,
    executor: ExecutorKind = "local",
    scheduler: str | None = None,
    release: bool = False,
    atol: float | None = None,
    rtol: float | None = None,
    eps: float | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    output_kb: int | None = None,
    environ: Mapping[str, str] | None = None,
    progress: IO[str] | None = None,
    layout: str = "auto",
    dry_run: bool = False,
    shown: Callable[[Intake], object] | None = None,
) -> BatchReport:
    """Grade every student of `directory` (a class's folder, or an LMS export: a zip or its
    folder) into `out` (SPEC §3 `grade batch`).

    The keywords are the command line's options, settings included (as in `grader.grade`);
    `release` lets the students' reports show every check (also GRADER_RELEASE=1);
    `environ` supplies GRADER_* variables (default: os.environ); `progress` receives a
    progress bar when it is a terminal; `layout` is the export's (`grader.batch.intake`),
    "auto" to detect it; `shown` is called with what was found before anything is graded,
    and `dry_run` stops there (nothing is written to `out`); `regrade` grades every submission
    again into an `out` that holds a batch (`resume`: only new or changed ones); OUT/overrides.csv
    is applied either way. Raises
    `grader.errors.UsageError` before grading anything when the command cannot be carried out.
    """
    out = Path(out)
    environ = os.environ if environ is None else environ
    overrides = given(
        atol=atol, rtol=rtol, eps=eps, timeout=timeout, memory_mb=memory_mb, output_kb=output_kb
    )
    with _staging(out, dry_run) as staging:
        plan = _plan(Path(directory), out, staging, layout, rubric, course, overrides, environ)
        changes = _overrides(out, plan)
        show = shown or (lambda intake: None)
        if dry_run:
            show(plan.intake)
            return BatchReport(out, Counts(len(plan.roll.students)), plan.roll.ignored, [], plan.intake)
        plan = replace(plan, template=replace(plan.template, released=release_asked(release, environ)))
        roster = gradebook.Roster.load(Path(canvas)) if canvas else None
        with (
            _executor(executor, scheduler, jobs) as pool,
            journal.Journal(out / journal.NAME, resume or regrade) as book,
        ):
            show(plan.intake)  # once the command is sure to be carried out, before any grading
            todo = [e for e in plan.roll.entries if regrade or not book.done(e.key, e.fingerprint)]
            _grade(todo, plan, pool, book, out, progress)
            _apply(changes, book, plan)
            book.compact()
            changes.save()
            counts, unmatched = _write_outputs(plan, book, out, roster, {e.key for e in todo})
    ignored = plan.roll.ignored
    return BatchReport(out=out, counts=counts, ignored=ignored, unmatched=unmatched, intake=plan.intake)


@contextlib.contextmanager
def _staging(out: Path, dry_run: bool) -> Iterator[Path]:
    """Where an export's students are staged for this run (created only if needed, removed after):
    under OUT, where every executor's workers read the files, or a temporary folder for a dry run."""
    with contextlib.ExitStack() as stack:
        base = Path(stack.enter_context(tempfile.TemporaryDirectory())) if dry_run else out
        staging = base / f".intake-{os.getpid()}"
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _plan(
    source: Path,
    out: Path,
    staging: Path,
    layout: str,
    rubric: str | os.PathLike[str] | None,
    course: str | os.PathLike[str] | None,
    settings: dict[str, Any],
    environ: Mapping[str, str],
) -> _Plan:
    intake = gather(source, staging, layout)
    settings_module.resolve(cli=settings, env=environ)  # every setting is valid before grading starts
    where = _course(course, required=rubric is None)
    given = _rubric(Path(rubric), where) if rubric is not None else None
    exercise = given.exercise if given else None
    roll = discover(intake.folder, exercise, lambda e: _has_rubric(where, e), out, where)
    intake = _told(intake, roll)
    problem = roll.usage_problem()
    if problem is not None:
        raise UsageError(f"{source}: {problem}")
    if given is not None:
        rubrics = {given.exercise: given}
    else:
        assert where is not None
        rubrics = {e: _rubric(course_module.rubric_path(where, e), where) for e in roll.exercises}
    names = set(settings_module.ENV.values())
    template = Task(
        student="",
        exercise="",
        files=(),
        course=str(where) if where is not None else None,
        settings=settings,
        environ={k: v for k, v in environ.items() if k in names},
    )
    return _Plan(roll, rubrics, template, intake)


def _overrides(out: Path, plan: _Plan) -> overrides.Overrides:
    """The TA's overrides, validated against the class and its rubrics before anything is graded."""
    return overrides.Overrides.read(out / overrides.NAME, {e.key for e in plan.roll.entries}, plan.rubrics)


def _apply(changes: overrides.Overrides, book: journal.Journal, plan: _Plan) -> None:
    """Give each latest row the override the TA's file gives it now: a new line where it changed."""
    for row in list(book.latest(e.key for e in plan.roll.entries)):
        applied = changes.applied(row)
        if applied != row:
            book.append(applied)


def _told(intake: Intake, roll: Roll) -> Intake:
    """The intake with its table complete: a plain folder's from discovery's roll; an export's
    left-out files and stray entries added to the roll's ignored ones, which the summary lists."""
    if not intake.students and roll.entries:
        students, strays = described(roll)
        return replace(intake, students=students, strays=strays)
    left_out = [
        Ignored(f"{s.student}/{f.shown}", f.note) for s in intake.students for f in s.found if not f.became
    ]
    roll.ignored.extend(left_out + [Ignored(name, why) for name, why in intake.strays])
    return intake


def _course(course: str | os.PathLike[str] | None, required: bool) -> Path | None:
    """The course directory: needed to find rubrics by name; with --rubric, the course found (for
    the reference and the starters) or None."""
    where = Path(course).resolve() if course is not None else None
    if where is not None or required:
        return course_module.find_course(where)
    try:
        return course_module.find_course(None)
    except CourseError:
        return None


def _rubric(path: Path, where: Path | None) -> Rubric:
    """A rubric, valid and cross-checked with its probes as grading requires, before anything is graded."""
    return verified(load(path), where)


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
    plan: _Plan,
    pool: LocalPool | DaskCluster,
    book: journal.Journal,
    out: Path,
    progress: IO[str] | None,
) -> None:
    """Grade `entries`, recording each as it finishes."""
    unreadable = (_unreadable(e) for e in entries if e.problem)
    tasks = (_task(plan, e) for e in entries if not e.problem)
    graded = (Graded.loads(text) for text in pool.run(tasks))
    failed = 0
    with _progress_bar(len(entries), progress) as bar:
        for outcome in chain(unreadable, graded):
            _record(outcome, out, book, plan.intake)
            failed += outcome.failed
            bar.set_postfix_str(f"{failed} could not be graded", refresh=False)
            bar.update()


def _task(plan: _Plan, entry: Entry) -> Task:
    """The entry's task: its files by absolute path, graded with its exercise's rubric as loaded."""
    files = tuple(replace(f, path=f.path.absolute()) for f in entry.files)
    return replace(
        plan.template,
        student=entry.student,
        exercise=entry.exercise,
        files=files,
        reason=entry.reason,
        rubric=plan.rubrics[entry.exercise],
    )


def _unreadable(entry: Entry) -> Graded:
    return failure(entry.student, entry.exercise, entry.files, entry.problem or "", entry.reason)


def _record(outcome: Graded, out: Path, book: journal.Journal, intake: Intake) -> None:
    """The student's reports and JSON first, then the journal line that marks the submission done
    (with what the LMS needs back, `lms`, for a student of an LMS's export)."""
    for report in outcome.reports:
        folder = out / outcome.student
        write_atomic(folder / f"{report.stem}.json", json.dumps(report.result, indent=2) + "\n")
        write_atomic(folder / f"{report.stem}.html", report.html)
    row = outcome.row
    lms = intake.lms(outcome.student, row["exercise"])
    book.append(row if lms is None else {**row, "lms": lms})


def _progress_bar(total: int, stream: IO[str] | None) -> tqdm:
    """Counts, failures and ETA on a terminal; silent elsewhere (the command prints a closing line)."""
    shown = stream is not None and stream.isatty()
    return tqdm(total=total, file=stream, disable=not shown, unit="submission", dynamic_ncols=True)


def _write_outputs(
    plan: _Plan, book: journal.Journal, out: Path, roster: gradebook.Roster | None, now: set[journal.Key]
) -> tuple[Counts, list[str]]:
    """The students' files, grades.csv, canvas.csv, the LMS's files and summary.html from the latest
    row of each entry (`now`: the keys this run graded); the batch's counts and the students the
    roster does not name. An empty overrides.csv is left for the TA to fill in."""
    students = plan.roll.students
    counts = Counts(len(students))
    grades = gradebook.Gradebook(students, plan.rubrics)
    tallies = summary.ClassSummary(students, plan.rubrics, plan.roll.ignored)
    rows: list[dict[str, Any]] = []
    for row in book.latest(e.key for e in plan.roll.entries):
        reports.update(out, row)
        counts.add(row, (row["student"], row["exercise"]) in now)
        grades.add(row)
        tallies.add(row)
        rows.append(
            {
                k: row[k]
                for k in ("student", "exercise", "submission", "score", "files", "override", "lms")
                if k in row
            }
        )
    write_atomic(out / gradebook.GRADES, grades.grades_csv())
    write_atomic(out / summary.NAME, tallies.render(counts))
    overrides.template(out / overrides.NAME)
    worksheet = lms_out.moodle_worksheet(rows, sum(r.max_score for r in plan.rubrics.values()))
    if worksheet is not None:
        write_atomic(out / lms_out.MOODLE, worksheet)
    lms_out.feedback_folder(out, rows)
    if roster is None:
        return counts, []
    text, unmatched = grades.canvas_csv(roster)
    write_atomic(out / gradebook.CANVAS, text)
    return counts, unmatched
