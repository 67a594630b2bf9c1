"""`grade(path)`: grade one submission, as a plain Python call.

The command line is a thin shell over this module. Grading failures of the
submission become data (a result with status `error` and a message); only problems
the grader cannot grade at all (no such file, unknown exercise, invalid rubric)
raise `UsageError`.
"""

from __future__ import annotations

import importlib
import math
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import course, submission
from grader.errors import CourseError, SettingsError, UsageError
from grader.result import CheckResult, Finding, Result
from grader.sandbox.process import WORKER_PREFIX
from grader.sandbox.supervisor import Limits, Reply, Worker
from grader.settings import Settings, given, resolve
from grader.text import clip, format_size

if TYPE_CHECKING:
    from grader.checks.base import Context
    from grader.notebook.forkserver import ForkServer
    from grader.rubric import Rubric


GRADER_FAILED = "the grader failed on this submission; its outputs were still written"
#: A finding reported while a hidden check ran: its details could carry that check's inputs.
DURING_HIDDEN = "an attempt while a hidden check ran (details withheld)"
#: Where the worker's copy of a submission lives: a warning that names it reads as the file's own name.
SANDBOX_PATH = re.compile(re.escape(os.path.join(tempfile.gettempdir(), WORKER_PREFIX)) + r"[^/\s]+/work/")
#: One wall-clock cap per submission, in per-check time limits: all checks and worker restarts together.
SUBMISSION_TIMEOUTS = 12
#: Said of a module a submission imports that is not installed where grading runs (nor the student's own).
NOT_INSTALLED = "not installed where grading runs (a module of your own belongs in the file graded)"


def grade(
    path: str | os.PathLike[str],
    *,
    course: str | os.PathLike[str] | None = None,
    rubric: str | os.PathLike[str] | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    eps: float | None = None,
    timeout: float | None = None,
    memory_mb: int | None = None,
    output_kb: int | None = None,
) -> dict[str, Any]:
    """Grade `path` and return the result JSON of SPEC §4 as a dict.

    The keywords are the command line's options: `course` (the directory holding rubrics/
    and reference/; default: the installed course), `rubric` (default: from the file name),
    and the settings of `grader.settings`, which take precedence as `--atol` etc. do.
    Raises `grader.errors.UsageError` for what cannot be graded at all (no such file,
    unknown exercise, invalid rubric or setting).
    """
    overrides = given(
        atol=atol, rtol=rtol, eps=eps, timeout=timeout, memory_mb=memory_mb, output_kb=output_kb
    )
    return grade_submission(Path(path), rubric=rubric, course_dir=course, overrides=overrides).to_json()


def grade_submission(
    path: Path,
    *,
    rubric: str | os.PathLike[str] | Rubric | None = None,
    course_dir: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    forks: ForkServer | None = None,
    worker: Worker | None = None,
) -> Result:
    """Grade `path`; the full `Result`, with details for reports.

    `rubric` is a file, or a `Rubric` its caller already loaded and cross-checked (a batch
    does that once, not once per submission); `overrides` are the settings given on the
    command line (see `grader.settings.given`);
    `env` supplies the GRADER_* variables (default: os.environ).

    `forks` starts notebook kernels fast when one student's notebooks are graded in a
    row (see `grader.notebook.forkserver.for_notebooks`); `worker` is one `prestart` began
    for `path`, which this call takes over (and closes).
    """
    started = time.perf_counter()
    try:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        course_root = _course(course_dir)
        exercise_rubric = _rubric(path, rubric, course_root)
        settings = resolve(
            cli=overrides, env=os.environ if env is None else env, rubric=exercise_rubric.defaults
        )
        handed_in = submission.read(path)
        if handed_in.problem:
            result = _not_run(handed_in, exercise_rubric, handed_in.problem)
        else:
            try:
                result = _run(handed_in, exercise_rubric, settings, course_root, forks, worker)
            except Exception as exc:  # the grader's own failure costs this submission, never the run
                message = f"{GRADER_FAILED} ({type(exc).__name__}: {clip(str(exc), 300)})"
                result = _not_run(handed_in, exercise_rubric, message)
    finally:
        if worker is not None:
            worker.close()  # idempotent: one that graded is closed already
    result.duration_s = time.perf_counter() - started
    return result


def prestart(path: Path, overrides: Mapping[str, Any], env: Mapping[str, str]) -> Worker | None:
    """Start the worker for a module before the grader loads anything else, so that the two
    interpreters start side by side; None where its limits are not known yet (a notebook, bad
    settings: grading reports those). Hand it to `grade_submission`, which takes it over."""
    if path.suffix != ".py" or not path.is_file():
        return None
    try:
        settings = resolve(cli=overrides, env=env)
    except SettingsError:
        return None
    worker = Worker(path, limits_for(settings))
    worker.start()
    return worker


def limits_for(settings: Settings) -> Limits:
    """The worker's limits under `settings`: the CPU backstop is the submission's wall-clock cap."""
    return Limits(
        call_timeout_s=settings.timeout,
        import_timeout_s=settings.timeout,
        memory_bytes=settings.memory_mb * 2**20,
        output_bytes=settings.output_kb * 1024,
        cpu_seconds=math.ceil(SUBMISSION_TIMEOUTS * settings.timeout),
    )


def _course(course_dir: str | os.PathLike[str] | None) -> Path | None:
    """The course directory; None is fine when a rubric is given (checks needing it are skipped)."""
    try:
        return course.find_course(Path(course_dir) if course_dir else None)
    except CourseError:
        if course_dir:
            raise UsageError(f"{course_dir}: not a course directory (it has no rubrics/ folder)") from None
        return None


def _rubric(path: Path, rubric: str | os.PathLike[str] | Rubric | None, course_root: Path | None) -> Rubric:
    from grader.crosscheck import verified
    from grader.rubric import Rubric, load  # after a prestarted worker is on its way

    if isinstance(rubric, Rubric):
        return rubric
    if rubric is not None:
        return verified(load(Path(rubric)), course_root)
    exercise = course.exercise_of(path)
    if exercise is None:
        raise UsageError(f"{path.name}: cannot tell the exercise from the name (expected exerciseNN.py)")
    if course_root is None:
        raise UsageError("cannot find the course's rubrics: pass --course DIR or --rubric FILE")
    return verified(load(course.rubric_path(course_root, exercise)), course_root)


def _run(
    handed_in: submission.Submission,
    rubric: Rubric,
    settings: Settings,
    course_root: Path | None,
    forks: ForkServer | None,
    early: Worker | None,
) -> Result:
    limits = limits_for(settings)
    cap = time.monotonic() + SUBMISSION_TIMEOUTS * settings.timeout
    # A prestarted worker fits unless the rubric changed the time limit; one that does not is closed.
    worker = early if early is not None and early.limits == limits else _worker(handed_in, limits, forks)
    with worker:
        worker.start()
        ctx = _context(handed_in, rubric, settings, worker, course_root, cap)
        ready = worker.wait_ready(cap)
        if ready.status != "ok":
            result = _not_run(handed_in, rubric, _import_problem(handed_in, ready, settings))
            shown = None
        else:
            ctx.names = frozenset(ready.value)
            results, shown = _run_checks(rubric, ctx, worker)
            result = _result(handed_in, rubric, results)
            result.integrity = ctx.integrity
    # After close(): only then has the worker's output been drained to the end.
    result.stdout = SANDBOX_PATH.sub("", worker.output if shown is None else worker.output[: shown.printed])
    if worker.output_truncated and shown is None:  # a cut made after a hidden check began stays unsaid
        result.stdout += f"\n[… truncated: only the first {format_size(settings.output_kb * 1024)} are kept]"
    result.defences = worker.defences
    findings = worker.findings
    before = len(findings) if shown is None else shown.findings
    result.integrity += [
        Finding(rule, message if i < before else DURING_HIDDEN) for i, (rule, message) in enumerate(findings)
    ]
    return result


@dataclass(frozen=True)
class _Shown:
    """How much of the submission's output, and how many of its reported findings (which come first
    in `Worker.findings`), came before the first hidden check."""

    printed: int
    findings: int


def _run_checks(rubric: Rubric, ctx: Context, worker: Worker) -> tuple[list[CheckResult], _Shown | None]:
    """Every check's result in rubric order, running the visible checks before the hidden ones.

    Whatever the submission prints or makes the grader report after a hidden check has started
    could carry that check's inputs, so only what came before is ever shown (how much is
    returned; None when no hidden check ran).
    """
    from grader import checks

    done: dict[str, CheckResult] = {}
    shown = None
    for check in rubric.running_order:
        if check.visibility != "visible" and shown is None:
            shown = _Shown(len(worker.output_so_far()), worker.reported)
        done[check.id] = checks.run(check, ctx)
    return [done[check.id] for check in rubric.checks], shown


def _worker(handed_in: submission.Submission, limits: Limits, forks: ForkServer | None) -> Worker:
    """The worker for a module, or a Jupyter kernel for a notebook (checks cannot tell them apart)."""
    if handed_in.notebook is None:
        return Worker(handed_in.path, limits)
    from grader.notebook.supervisor import KernelWorker

    return KernelWorker(handed_in.path, handed_in.notebook, limits, forks=forks)


def _context(
    handed_in: submission.Submission,
    rubric: Rubric,
    settings: Settings,
    worker: Worker,
    course_root: Path | None,
    cap: float,
) -> Context:
    """Everything trusted the checks need, loaded while the worker imports the submission.

    numpy and the checks are imported only here, after the worker has been started, so
    the two interpreters import numpy side by side.
    """
    from grader.checks.base import Context
    from grader.truth import Truth

    reference = course.load_reference(course_root, rubric.exercise) if course_root else None
    return Context(
        rubric=rubric,
        settings=settings,
        filename=handed_in.name,
        probes=importlib.import_module(f"grader.probes.{rubric.exercise}"),
        worker=worker,
        names=frozenset(),
        truth=Truth.load(rubric, reference),
        variants=_variants(course_root, rubric, reference),
        source=handed_in.source,
        cap=cap,
    )


def _variants(course_root: Path | None, rubric: Rubric, reference: Any) -> Mapping[str, object]:
    """The course's wrong variants of the reference, which name mistakes; none without both."""
    if course_root is None or reference is None:
        return {}
    return course.Variants(course_root, rubric.exercise, reference)


def _import_problem(handed_in: submission.Submission, ready: Reply, settings: Settings) -> str:
    """Why the submission could not be imported (a notebook: run), in one line for the student."""
    name, error = handed_in.name, ready.error
    assert error is not None, "a reply that is not ok says why"
    notebook = handed_in.notebook is not None
    if ready.status == "timeout" and notebook:
        return f"{name}: {error.message}" + ("" if error.where else " (is a cell stuck in an infinite loop?)")
    if ready.status == "timeout":
        where = error.running("an infinite loop at top level?")
        return f"{name} did not finish importing within {settings.timeout:g} s ({where})"
    module = None if notebook else submission.own_module(handed_in.path, error.type, error.message)
    if module is not None:
        return f"{name} {submission.own_import(handed_in.path, module, error.line)}"
    doing = "running" if notebook else "importing"
    line = f" at line {error.line}" if error.line else ""
    missing = f": {NOT_INSTALLED}" if error.type == "ModuleNotFoundError" and not notebook else ""
    return f"{doing} {name} failed{line}: {error.type}: {error.message}{missing}"


def _result(handed_in: submission.Submission, rubric: Rubric, results: list[CheckResult]) -> Result:
    return Result(
        submission=handed_in.name,
        sha256=handed_in.sha256,
        exercise=rubric.exercise,
        checks=results,
        title=rubric.title,
        misconception_titles={m.id: m.title for m in rubric.misconceptions.values()},
    )


def _not_run(handed_in: submission.Submission, rubric: Rubric, problem: str) -> Result:
    """A submission that could not run at all: score 0, every check listed as not run."""
    not_run = [
        CheckResult(c.id, c.title, "error", 0.0, c.points, c.visibility, message="not run: " + problem)
        for c in rubric.checks
    ]
    result = _result(handed_in, rubric, not_run)
    result.status, result.message = "error", problem
    return result
