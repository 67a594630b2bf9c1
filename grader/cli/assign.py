"""`grade assign`: regenerate the starters in exercises/, the shipped values and the student kit
from reference/ and rubrics/, or check they are in sync."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.cli.common import Environment, Exit, add_traceback


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade assign",
        description="Regenerate exercises/ (starters) and the shipped values from reference/, and the "
        "student kit (grader/kit/: the rubrics without hidden inputs, the shipped values, the starters).",
    )
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    parser.add_argument("--course", type=Path, help="course directory (default: the installed one)")
    add_traceback(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.assign import assign
    from grader.course import find_course

    course = find_course(options.course)
    stale = assign(course, check=options.check)
    for path in stale:
        verb = "out of date" if options.check else "written"
        env.stdout.write(f"{path.relative_to(course)}: {verb}\n")
    if options.check and stale:
        env.stderr.write(
            "grade: exercises/, the shipped values or the student kit are out of date; run `grade assign`\n"
        )
        return Exit.NOT_PASSED
    if not stale:
        state = "in sync with" if options.check else "already up to date with"
        env.stdout.write(f"exercises/, the shipped values and the student kit are {state} reference/\n")
    return Exit.OK
