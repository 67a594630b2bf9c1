"""`grade gradescope-zip`: package the course as a Gradescope autograder."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.cli.common import Environment, Exit, add_traceback


def parser() -> argparse.ArgumentParser:
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
    add_traceback(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.course import find_course
    from grader.distribution.gradescope import build

    exercises = build(options.out, find_course(options.course), options.rubric or ())
    env.stdout.write(f"{options.out}: Gradescope autograder for {', '.join(exercises)}\n")
    return Exit.OK
