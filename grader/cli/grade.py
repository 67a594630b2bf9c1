"""`grade PATH...`: grade submissions, print a summary, write the report and machine outputs.

When a machine output goes to stdout (`--json -`, `--junit -`, `--gradescope -`,
`--prairielearn -`), stdout carries only that output and the human summary goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from grader.cli.common import (
    Environment,
    Exit,
    add_release,
    add_settings,
    grade_file,
    settings_of,
    user_message,
    write,
)
from grader.errors import CourseError, UsageError
from grader.text import message_line

if TYPE_CHECKING:
    from grader.result import Result

#: Where HTML reports go unless --html says otherwise (relative to the current directory).
REPORTS = "grade-reports"
#: The machine outputs, each as (option, what it writes).
MACHINE_OUTPUTS = (
    ("json", "the result JSON (one JSON line per submission when several are graded)"),
    ("junit", "JUnit XML, one testcase per check"),
    ("gradescope", "Gradescope's results.json"),
    ("prairielearn", "PrairieLearn's results.json"),
)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade backpropagation exercises. "
        "Subcommands: starters, assign, batch, check-rubric, gradescope-zip. "
        "When an output goes to stdout (PATH -), stdout carries only it and the summary goes to stderr.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="exerciseNN.py, .ipynb, or a folder of them")
    parser.add_argument("--rubric", type=Path, help="rubric YAML (default: from the file name)")
    parser.add_argument("--course", type=Path, help="course directory holding rubrics/ and reference/")
    parser.add_argument(
        "--html",
        metavar="PATH",
        default=REPORTS,
        help=f"HTML report: a .html file (one submission) or a folder for <stem>.html (default: {REPORTS}/)",
    )
    parser.add_argument("--no-html", action="store_true", help="write no HTML report")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="grade one file again on every save, showing what changed since the last run (Ctrl-C stops)",
    )
    for name, what in MACHINE_OUTPUTS:
        parser.add_argument(f"--{name}", metavar="PATH", help=f"write {what} (- for stdout)")
    parser.add_argument(
        "--min-score",
        type=_fraction,
        metavar="FRACTION",
        help="exit 0 when the score is at least this fraction of the points judged here (e.g. 0.8), else 1; "
        "checks skipped here (they run on the course autograder) do not count",
    )
    add_release(parser)
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when checks fail (report only; usage errors still exit 2)",
    )
    add_settings(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    if options.watch:
        from grader.cli.watch import watch

        path = options.paths[0]
        return watch(
            options, env, None if options.no_html else lambda r: _report(r, path, options.html, path.stem)
        )
    try:
        graded = _grade_all(options, env)
    except Exception as exc:
        if options.gradescope:  # Gradescope needs its file even when nothing could be graded
            from grader.outputs import gradescope

            write(options.gradescope, gradescope.failure(user_message(exc)), env)
        raise
    _write_outputs(options, graded, env)
    status = _exit_status(options.min_score, graded.counted, env)
    return Exit.OK if options.exit_zero else status


def _human(options: argparse.Namespace, env: Environment) -> IO[str]:
    """Where the summary goes: stderr when stdout carries a machine output."""
    to_stdout = any(getattr(options, name) == "-" for name, _ in MACHINE_OUTPUTS)
    return env.stderr if to_stdout else env.stdout


@dataclass
class _Graded:
    """Every result of the run (each file graded), and those that count (one per choice)."""

    results: list[Result] = field(default_factory=list)
    counted: list[Result] = field(default_factory=list)


def _grade_all(options: argparse.Namespace, env: Environment) -> _Graded:
    from grader.api import prestart
    from grader.choice import choose, settle

    listed = [f for path in options.paths for f in _submissions(path)]
    if not listed:
        raise UsageError(f"no exerciseNN.py or .ipynb files in {', '.join(map(str, options.paths))}")
    choices = choose(listed, _course(options.course))
    files = [path for choice in choices for path in choice.graded]
    if not options.no_html and options.html.endswith(".html") and len(files) > 1:
        raise UsageError(f"--html {options.html} is one file for {len(files)} submissions; give a folder")
    overrides = settings_of(options)
    # Each module's worker starts before the grader needs it: the first one before the grader has
    # loaded its checks, the next one while the current submission is graded.
    upcoming = [prestart(files[0], overrides, env.environ)]
    from grader.terminal import summary

    human, stems, graded = _human(options, env), _report_stems(files), _Graded()
    try:
        with _kernels(files) as forks:
            for choice in choices:
                results: list[Result] = []
                for path in choice.graded:
                    index = len(graded.results) + len(results)
                    if index + 1 < len(files):
                        upcoming.append(prestart(files[index + 1], overrides, env.environ))
                    results.append(grade_file(path, options, env, forks, upcoming.pop(0)))
                graded.counted.append(settle(choice, results))
                for path, result in zip(choice.graded, results, strict=True):
                    graded.results.append(result)
                    human.write(summary(result, colour=env.colour(human)))
                    if not options.no_html:
                        report = _report(result, path, options.html, stems[path])
                        human.write(f"  report: {message_line(str(report))}\n")
    finally:
        for worker in upcoming:  # started for a file that was never graded (an error stopped the run)
            if worker is not None:
                worker.close()
    return graded


def _course(given: Path | None) -> Path | None:
    """The course whose starters the file rule compares with; None when there is none to find
    (then grading says why, or runs from --rubric alone)."""
    from grader.course import find_course

    try:
        return find_course(given)
    except CourseError:
        return None


def _report_stems(files: list[Path]) -> dict[Path, str]:
    """Each file's report name, never shared: `exercise11`, or `exercise11-ipynb` beside an
    `exercise11.py` graded in the same run (and a number after that, for same-named folders)."""
    clash = Counter(path.stem for path in files)
    stems: dict[Path, str] = {}
    for path in files:
        stem = path.stem if clash[path.stem] == 1 else f"{path.stem}-{path.suffix.lstrip('.')}"
        taken = set(stems.values())
        candidate, number = stem, 1
        while candidate in taken:
            number += 1
            candidate = f"{stem}-{number}"
        stems[path] = candidate
    return stems


def _kernels(files: list[Path]) -> AbstractContextManager[Any]:
    """A kernel fork server when a student hands in several notebooks (each kernel stays separate)."""
    if not any(path.suffix == ".ipynb" for path in files):
        return contextlib.nullcontext()
    from grader.notebook.forkserver import for_notebooks

    return for_notebooks(files)


def _report(result: Result, path: Path, target: str, stem: str) -> Path:
    """Write the HTML report: to `target` if it names a .html file, else to `target/<stem>.html`."""
    from grader.report.page import write

    destination = Path(target) if target.endswith(".html") else Path(target) / f"{stem}.html"
    return write(result, destination, path)


def _write_outputs(options: argparse.Namespace, graded: _Graded, env: Environment) -> None:
    """JSON and JUnit report every file graded; the platforms' score files only what counts."""
    from grader.outputs import gradescope, junit, prairielearn

    if options.json:
        documents = [r.to_json() for r in graded.results]
        text = json.dumps(documents[0], indent=2) if len(documents) == 1 else _lines(documents)
        write(options.json, text + "\n", env)
    for target, dumps, results in (
        (options.junit, junit.dumps, graded.results),
        (options.gradescope, gradescope.dumps, graded.counted),
        (options.prairielearn, prairielearn.dumps, graded.counted),
    ):
        if target:
            write(target, dumps(results), env)


def _exit_status(min_score: float | None, results: list[Result], env: Environment) -> int:
    """Without --min-score: 0 only when every check passed. With it: 0 when the score reaches it, as a
    fraction of the points judged here (a student kit skips the checks that need the reference: no
    score could reach a threshold of points it cannot judge)."""
    if min_score is None:
        return Exit.OK if all(r.passed for r in results) else Exit.NOT_PASSED
    points = sum(c.max_points for r in results for c in r.checks if c.status != "skipped")
    fraction = sum(r.score for r in results) / points if points else 0.0
    if fraction + 1e-9 >= min_score:
        return Exit.OK
    env.stderr.write(
        f"grade: the score is {fraction:.0%} of the points judged here, below --min-score {min_score:g}\n"
    )
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
    from grader.course import SUFFIXES, exercise_of

    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and exercise_of(p))
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    return [path]


def _lines(documents: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(d) for d in documents)
