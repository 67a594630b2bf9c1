"""`grade batch DIR --out OUT`: grade a class, resumably, into reports, a gradebook and a summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from grader.cli.common import Environment, Exit, add_release, add_settings, positive, settings_of
from grader.text import message_line, name_line

if TYPE_CHECKING:
    from grader.batch import BatchReport
    from grader.batch.intake import Intake

#: Ignored batch entries named on stderr; the summary page lists them all.
IGNORED_SHOWN = 10


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade batch",
        description="Grade a class: an LMS's export (Canvas, Moodle, Gradescope, GitHub Classroom; "
        "a zip or its folder), whose layout is recognised and whose files are mapped to students and "
        "exercises, as a table shown before grading; or a folder where each entry is a student (a "
        "folder of exerciseNN files, or one <student>.py|ipynb file with --rubric). Writes "
        "OUT/<student>/<stem>.html and .json, "
        "OUT/results.jsonl, OUT/grades.csv and OUT/summary.html. In a folder holding both "
        "exerciseNN.py and exerciseNN.ipynb, an untouched starter gives way to the other file; "
        "when both were edited, both are graded and the higher score counts. "
        "A TA's grades go in OUT/overrides.csv (written empty by the first run): columns student, "
        "exercise, check (a check id of the rubric, or total), points, comment; every output applies "
        "them, --resume and --regrade keep them, and a bad line is refused with its line number before "
        "anything is graded. The grader fills each line's sha256 with the submission it applied to: "
        "when that submission changes, the override is marked STALE and not applied until its sha256 "
        "cell is emptied. For an LMS's export it also writes OUT/feedback/ (each student's reports, "
        "named for the LMS's bulk feedback upload) and, for Moodle, OUT/moodle.csv (the assignment's "
        "offline grading worksheet).",
    )
    parser.add_argument(
        "directory", type=Path, metavar="DIR|EXPORT.zip", help="one entry per student, or an LMS's export"
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--jobs", type=positive, metavar="N", help="submissions graded at once (default: one per core)"
    )
    again = parser.add_mutually_exclusive_group()
    again.add_argument(
        "--resume", action="store_true", help="continue a stopped batch: regrade only new or changed files"
    )
    again.add_argument(
        "--regrade",
        action="store_true",
        help="grade every submission again into an OUT that holds a batch (OUT/overrides.csv is kept)",
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
    parser.add_argument(
        "--layout",
        default="auto",
        metavar="LAYOUT",
        help="the export's layout: auto (the default: told from the names of its entries), folders, "
        "canvas, moodle, gradescope or classroom",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show the layout and what each file maps to; grade nothing"
    )
    add_release(parser)
    add_settings(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.batch import grade_batch

    try:
        report = grade_batch(
            options.directory,
            options.out,
            jobs=options.jobs,
            resume=options.resume,
            regrade=options.regrade,
            rubric=options.rubric,
            course=options.course,
            canvas=options.canvas,
            executor=options.executor,
            scheduler=options.scheduler,
            release=options.release,
            **settings_of(options),
            environ=env.environ,
            progress=env.stderr,
            layout=options.layout,
            dry_run=options.dry_run,
            shown=lambda intake: _table(intake, options.dry_run, env),
        )
    except KeyboardInterrupt:
        env.stderr.write("grade: interrupted; what was graded is kept: rerun with --resume to go on\n")
        return Exit.INTERRUPTED
    if options.dry_run:
        return Exit.OK
    _notes(report, env)
    env.stdout.write(f"{report.counts.sentence()}; see {report.out / 'summary.html'}\n")
    return Exit.OK


def _table(intake: Intake, dry_run: bool, env: Environment) -> None:
    """The export's layout and what each file became, before grading; for a plain folder of
    students (read as it always was), only when asked with --dry-run."""
    if intake.staged or dry_run:
        env.stdout.write(intake.table())


def _notes(report: BatchReport, env: Environment) -> None:
    """What the TA should know about the input: ignored entries, students missing from the roster."""
    shown = report.ignored[:IGNORED_SHOWN]
    notes = [f"ignored {name_line(item.path)}: {message_line(item.reason)}" for item in shown]
    if len(report.ignored) > IGNORED_SHOWN:
        notes.append(f"... and {len(report.ignored) - IGNORED_SHOWN} more ignored, listed in the summary")
    if report.unmatched:
        names = ", ".join(name_line(student) for student in report.unmatched)
        notes.append(f"not in the Canvas roster, so not in canvas.csv: {names}")
    if not report.counts.students:
        notes.append("no student folder or .py/.ipynb file found")
    env.stderr.writelines(f"grade: {note}\n" for note in notes)
