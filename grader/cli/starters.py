"""`grade starters [DIR]`: hand a student the chapter's starters, never over their work."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.cli.common import Environment, Exit, add_traceback


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade starters",
        description=(
            "Write the starters of every exercise (exerciseNN.py and exerciseNN.ipynb) into DIR. "
            "If DIR already holds any of them, nothing is written and the command exits 2 naming "
            "them: move or rename your files, or give another folder."
        ),
    )
    parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
        help="where to write them (created if missing; default: the current directory)",
    )  # fmt: skip
    parser.add_argument("--course", type=Path, help="course directory (default: the installed one)")
    add_traceback(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.course import find_course
    from grader.studentkit import hand_out

    written = hand_out(find_course(options.course), options.folder)
    for path in written:
        env.stdout.write(f"{path}\n")
    stems = sorted({path.stem for path in written})
    env.stdout.write(
        f"{len(written)} starters written ({stems[0]} to {stems[-1]}, .py and .ipynb); "
        "when an exercise is done: grade exerciseNN.py (or .ipynb)\n"
    )
    return Exit.OK
