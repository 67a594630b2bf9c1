"""`grade check-rubric FILE...`: validate rubrics before any student code meets them."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.cli.common import Environment, Exit, add_traceback


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade check-rubric", description="Validate rubric YAML files.")
    parser.add_argument("files", nargs="+", type=Path)
    add_traceback(parser)
    return parser


def handle(options: argparse.Namespace, env: Environment) -> int:
    from grader.errors import RubricError
    from grader.rubric import load

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
