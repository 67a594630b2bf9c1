"""The `grade` command: a thin shell over `grader.api` and friends.

Every user error becomes one line on stderr and exit status 2; `--traceback` shows
the full stack for debugging the grader itself.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from grader import settings as settings_module
from grader.text import message_line, name_line

if TYPE_CHECKING:
    from grader.batch import BatchReport
    from grader.result import Result


class Exit(IntEnum):
    OK = 0
    NOT_PASSED = 1
    USAGE = 2
    INTERRUPTED = 130


@dataclass
class Environment:
    """What the command talks to; tests inject their own to run the CLI in-process."""

    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @property
    def colour(self) -> bool:
        return self.stdout.isatty() and "NO_COLOR" not in self.environ


SUBCOMMANDS = ("assign", "batch", "check-rubric", "gradescope-zip")
#: Where HTML reports go unless --html says otherwise (relative to the current directory).
REPORTS = "grade-reports"
#: Ignored batch entries named on stderr; the summary page lists them all.
IGNORED_SHOWN = 10


def run() -> NoReturn:
    """The `grade` program: `main`, then leave without tearing the interpreter down.

    Every output is written and closed by then and every worker, kernel and pool is stopped;
    what is left to undo (numpy and the grader's modules) would take longer than the work.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # whoever read the output has gone (`grade ... | head`): nothing left to tell
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Entry point of `grade`; returns the exit status."""
    env = env or Environment()
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in SUBCOMMANDS else "grade"
    parser = PARSERS[command]()
    try:
        with contextlib.redirect_stderr(env.stderr), contextlib.redirect_stdout(env.stdout):
            options = parser.parse_args(args[1:] if command != "grade" else args)
    except SystemExit as exc:  # argparse already printed the usage error or the help
        return Exit.USAGE if exc.code else Exit.OK
    try:
        return COMMANDS[command](options, env)
    except Exception as exc:
        if getattr(options, "traceback", False):
            traceback.print_exc(file=env.stderr)
        env.stderr.write(f"grade: {message_line(_user_message(exc))}\n")
        return Exit.USAGE


def _user_message(exc: Exception) -> str:
    from grader.api import UsageError

    if isinstance(exc, UsageError | OSError | ValueError):
        return str(exc)
    return f"internal error ({type(exc).__name__}: {exc}); rerun with --traceback and report it"


def _grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade backpropagation exercises. "
        "Subcommands: assign, batch, check-rubric, gradescope-zip.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="exerciseNN.py, .ipynb, or a folder of them")
    parser.add_argument("--rubric", type=Path, help="rubric YAML (default: from the file name)")
    parser.add_argument("--course", type=Path, help="course directory holding rubrics/ and reference/")
    parser.add_argument("--json", metavar="PATH", help="write the result JSON (- for stdout)")
    parser.add_argument(
        "--html",
        metavar="PATH",
        default=REPORTS,
        help=f"HTML report: a .html file (one submission) or a folder for <stem>.html (default: {REPORTS}/)",
    )
    parser.add_argument("--no-html", action="store_true", help="write no HTML report")
    for name, what in (
        ("junit", "JUnit XML, one testcase per check"),
        ("gradescope", "Gradescope's results.json"),
        ("prairielearn", "PrairieLearn's results.json"),
    ):
        parser.add_argument(f"--{name}", metavar="PATH", help=f"write {what} (- for stdout)")
    parser.add_argument(
        "--min-score",
        type=_fraction,
        metavar="FRACTION",
        help="exit 0 when the score is at least this fraction of the points (e.g. 0.8), else 1",
    )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when checks fail (report only; usage errors still exit 2)",
    )
    _add_settings(parser)
    return parser


def _add_settings(parser: argparse.ArgumentParser) -> None:
    """The grading settings (validated by grader.settings, which names their source) and --traceback."""
    for name, help_text in (
        ("atol", "absolute tolerance"),
        ("rtol", "relative tolerance"),
        ("eps", "finite-difference step"),
        ("timeout", "seconds per check"),
        ("memory-mb", "memory limit of the student process, MiB"),
        ("output-kb", "cap on captured student output, KiB"),
    ):
        env_name = settings_module.ENV[name.replace("-", "_")]
        parser.add_argument(f"--{name}", help=f"{help_text} (env {env_name})")
    parser.add_argument("--traceback", action="store_true", help="show the grader's own traceback on errors")


def _settings(options: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(options, k) for k in settings_module.ENV if getattr(options, k) is not None}


def _grade(options: argparse.Namespace, env: Environment) -> int:
    try:
        results = _grade_all(options, env)
    except Exception as exc:
        if options.gradescope:  # Gradescope needs its file even when nothing could be graded
            from grader.outputs import gradescope

            _write(options.gradescope, gradescope.failure(_user_message(exc)), env)
        raise
    _write_outputs(options, results, env)
    status = _exit_status(options.min_score, results, env)
    return Exit.OK if options.exit_zero else status


def _grade_all(options: argparse.Namespace, env: Environment) -> list[Result]:
    from grader.api import UsageError, grade_submission, prestart

    files = [f for path in options.paths for f in _submissions(path)]
    if not files:
        raise UsageError(f"no exerciseNN.py or .ipynb files in {', '.join(map(str, options.paths))}")
    if not options.no_html and options.html.endswith(".html") and len(files) > 1:
        raise UsageError(f"--html {options.html} is one file for {len(files)} submissions; give a folder")
    # Each module's worker starts before the grader needs it: the first one before the grader has
    # loaded its checks, the next one while the current submission is graded.
    upcoming = [prestart(files[0], _settings(options), env.environ)]
    from grader.terminal import summary

    results = []
    try:
        with _kernels(files) as forks:
            for index, path in enumerate(files):
                if index + 1 < len(files):
                    upcoming.append(prestart(files[index + 1], _settings(options), env.environ))
                result = grade_submission(
                    path,
                    rubric=options.rubric,
                    course_dir=options.course,
                    env=env.environ,
                    forks=forks,
                    worker=upcoming.pop(0),
                    overrides=_settings(options),
                )
                results.append(result)
                env.stdout.write(summary(result, colour=env.colour))
                if not options.no_html:
                    report = _report(result, path, options.html)
                    env.stdout.write(f"  report: {message_line(str(report))}\n")
    finally:
        for worker in upcoming:  # started for a file that was never graded (an error stopped the run)
            if worker is not None:
                worker.close()
    return results


def _kernels(files: list[Path]) -> AbstractContextManager[Any]:
    """A kernel fork server when a student hands in several notebooks (each kernel stays separate)."""
    if not any(path.suffix == ".ipynb" for path in files):
        return contextlib.nullcontext()
    from grader.notebook.forkserver import for_notebooks

    return for_notebooks(files)


def _report(result: Result, path: Path, target: str) -> Path:
    """Write the HTML report: to `target` if it names a .html file, else to `target/<stem>.html`."""
    from grader.report.page import source_of, write

    destination = Path(target) if target.endswith(".html") else Path(target) / f"{path.stem}.html"
    return write(result, destination, source_of(path))


def _write_outputs(options: argparse.Namespace, results: list[Result], env: Environment) -> None:
    from grader.outputs import gradescope, junit, prairielearn

    if options.json:
        documents = [r.to_json() for r in results]
        text = json.dumps(documents[0], indent=2) if len(documents) == 1 else _lines(documents)
        _write(options.json, text + "\n", env)
    for target, dumps in (
        (options.junit, junit.dumps),
        (options.gradescope, gradescope.dumps),
        (options.prairielearn, prairielearn.dumps),
    ):
        if target:
            _write(target, dumps(results), env)


def _exit_status(min_score: float | None, results: list[Result], env: Environment) -> int:
    """Without --min-score: 0 only when every check passed. With it: 0 when the score reaches it."""
    if min_score is None:
        return Exit.OK if all(r.passed for r in results) else Exit.NOT_PASSED
    points = sum(r.max_score for r in results)
    fraction = sum(r.score for r in results) / points if points else 0.0
    if fraction + 1e-9 >= min_score:
        return Exit.OK
    env.stderr.write(f"grade: the score is {fraction:.0%} of the points, below --min-score {min_score:g}\n")
    return Exit.NOT_PASSED


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction between 0 and 1 (e.g. 0.8)")
    return value


def _submissions(path: Path) -> list[Path]:
    """The exercise files to grade for one command-line path."""
    from grader.api import UsageError
    from grader.course import SUFFIXES, exercise_of

    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and exercise_of(p))
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    return [path]


def _lines(documents: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(d) for d in documents)


def _write(target: str, text: str, env: Environment) -> None:
    if target == "-":
        env.stdout.write(text)
    else:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(text, encoding="utf-8")


def _batch_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade a class: each entry of DIR is a student (a folder of exerciseNN files, "
        "or one <student>.py|ipynb file with --rubric). Writes OUT/<student>/<stem>.html and .json, "
        "OUT/results.jsonl, OUT/grades.csv and OUT/summary.html.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--jobs", type=_positive, metavar="N", help="submissions graded at once (default: one per core)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue a stopped batch: regrade only new or changed files"
    )
    parser.add_argument("--rubric", type=Path, help="rubric YAML of a one-exercise batch")
    parser.add_argument("--course", type=Path, help="course directory holding rubrics/ and reference/")
    parser.add_argument(
        "--canvas",
        type=Path,
        metavar="ROSTER.csv",
        help="also write OUT/canvas.csv for Canvas's gradebook import, from a roster exported from Canvas",
    )
    parser.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="where to grade (default: local)"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, for --executor dask")
    _add_settings(parser)
    return parser


def _batch(options: argparse.Namespace, env: Environment) -> int:
    from grader.batch import grade_batch

    try:
        report = grade_batch(
            options.directory,
            options.out,
            jobs=options.jobs,
            resume=options.resume,
            rubric=options.rubric,
            course=options.course,
            canvas=options.canvas,
            executor=options.executor,
            scheduler=options.scheduler,
            **_settings(options),
            environ=env.environ,
            progress=env.stderr,
        )
    except KeyboardInterrupt:
        env.stderr.write("grade: interrupted; what was graded is kept: rerun with --resume to go on\n")
        return Exit.INTERRUPTED
    _batch_notes(report, env)
    env.stdout.write(
        f"{report.students} students: graded {report.graded} submissions "
        f"({report.failed} could not be graded), {report.skipped} already done; "
        f"see {report.out / 'summary.html'}\n"
    )
    return Exit.OK


def _batch_notes(report: BatchReport, env: Environment) -> None:
    """What the TA should know about the input: ignored entries, students missing from the roster."""
    shown = report.ignored[:IGNORED_SHOWN]
    notes = [f"ignored {name_line(item.path)}: {message_line(item.reason)}" for item in shown]
    if len(report.ignored) > IGNORED_SHOWN:
        notes.append(f"... and {len(report.ignored) - IGNORED_SHOWN} more ignored, listed in the summary")
    if report.unmatched:
        names = ", ".join(name_line(student) for student in report.unmatched)
        notes.append(f"not in the Canvas roster, so not in canvas.csv: {names}")
    if not report.students:
        notes.append("no student folder or .py/.ipynb file found")
    env.stderr.writelines(f"grade: {note}\n" for note in notes)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _check_rubric_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade check-rubric", description="Validate rubric YAML files.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--traceback", action="store_true")
    return parser


def _check_rubric(options: argparse.Namespace, env: Environment) -> int:
    from grader.rubric import RubricError, load

    status = Exit.OK
    for path in options.files:
        try:
            rubric = load(path)
        except RubricError as exc:
            env.stderr.write(f"{exc}\n")
            status = Exit.USAGE
        else:
            checks = len(rubric.checks)
            env.stdout.write(f"{path}: ok ({checks} checks, {rubric.max_score:g} points)\n")
    return status


def _assign_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade assign", description="Regenerate exercises/ (starters) from reference/."
    )
    parser.add_argument("--check", action="store_true", help="only report starters that are out of date")
    parser.add_argument("--course", type=Path, help="course directory (default: the installed one)")
    parser.add_argument("--traceback", action="store_true")
    return parser


def _assign(options: argparse.Namespace, env: Environment) -> int:
    from grader.assign import assign
    from grader.course import find_course

    course = find_course(options.course)
    stale = assign(course, check=options.check)
    for path in stale:
        verb = "out of date" if options.check else "written"
        env.stdout.write(f"{path.relative_to(course)}: {verb}\n")
    if options.check and stale:
        env.stderr.write("grade: exercises/ is out of sync with reference/; run `grade assign`\n")
        return Exit.NOT_PASSED
    return Exit.OK


def _gradescope_zip_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade gradescope-zip",
        description="Build a Gradescope autograder zip (the grader, rubrics, reference and scripts).",
    )
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="default: autograder.zip")
    parser.add_argument(
        "--rubric",
        type=Path,
        action="append",
        help="grade this rubric's exercise (repeatable; default: every rubric of the course)",
    )
    parser.add_argument("--course", type=Path, help="course directory (default: the installed one)")
    parser.add_argument("--traceback", action="store_true")
    return parser


def _gradescope_zip(options: argparse.Namespace, env: Environment) -> int:
    from grader.course import find_course
    from grader.outputs.gradescope_zip import build

    exercises = build(options.out, find_course(options.course), options.rubric or ())
    env.stdout.write(f"{options.out}: Gradescope autograder for {', '.join(exercises)}\n")
    return Exit.OK


PARSERS: dict[str, Callable[[], argparse.ArgumentParser]] = {
    "grade": _grade_parser,
    "batch": _batch_parser,
    "check-rubric": _check_rubric_parser,
    "assign": _assign_parser,
    "gradescope-zip": _gradescope_zip_parser,
}
COMMANDS: dict[str, Callable[[argparse.Namespace, Environment], int]] = {
    "grade": _grade,
    "batch": _batch,
    "check-rubric": _check_rubric,
    "assign": _assign,
    "gradescope-zip": _gradescope_zip,
}
