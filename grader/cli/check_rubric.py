"""`grade check-rubric FILE...`: validate rubrics, and what they name, before any student code meets them."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.cli.common import Environment, Exit, add_traceback


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade check-rubric",
        description=(
            "Validate rubric YAML files, then cross-check each with its probes and with the course's "
            "mistake variants (reference/mistakes/): every probe exists and is of the check's kind, "
            "every listed misconception is recognised by a variant or by the probe, every variant "
            "and every defined misconception is listed by a check."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument(
        "--course",
        type=Path,
        help="course directory whose reference/ to check against (default: DIR for a FILE in DIR/rubrics/)",
    )
    add_traceback(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.crosscheck import crosscheck
    from grader.errors import RubricError
    from grader.rubric import load
    from grader.text import counted

    status = Exit.OK
    for path in options.files:
        try:
            rubric = load(path)
            found = crosscheck(rubric, _course(path, options.course))
            if found.problems:
                raise RubricError(path, list(found.problems))
        except RubricError as exc:
            env.stderr.write(f"{exc}\n")
            status = Exit.USAGE
            continue
        size = f"{counted(len(rubric.checks), 'check')}, {rubric.max_score:g} points"
        env.stdout.write(f"{path}: ok ({size})\n")
        for note in found.unused:
            env.stdout.write(f"  unused: {note}\n")
        for note in found.unchecked:
            env.stdout.write(f"  not checked: {note}\n")
    return status


def _course(rubric: Path, given: Path | None) -> Path | None:
    """The course to check `rubric` against: the one given, or the one whose rubrics/ holds it;
    none for a rubric on its own (what needs the course is then reported as not checked)."""
    from grader.course import find_course

    if given is not None:
        return find_course(given)
    folder = rubric.resolve().parent
    return folder.parent if folder.name == "rubrics" else None
