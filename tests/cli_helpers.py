"""Run the `grade` command in-process with captured streams (the CLI's injectable environment)."""

from __future__ import annotations

import io
from collections.abc import Mapping

from grader.cli import Environment, main


def run_cli(argv: list[str], environ: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(argv, Environment(stdout=stdout, stderr=stderr, environ=dict(environ or {})))
    return code, stdout.getvalue(), stderr.getvalue()
