"""The `grade` command: a thin shell over `grader.api` and friends, one module per subcommand.

Every user error (`grader.errors.UsageError`, or an OSError such as an unwritable output
path) becomes one line on stderr and exit status 2; anything else is a bug of the grader,
said so, and `--traceback` shows its stack.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from grader.cli import assign, batch, check_rubric, grade, gradescope_zip, starters
from grader.cli.common import Environment, Exit, user_message
from grader.text import message_line

__all__ = ["Environment", "Exit", "main", "run"]

#: Each subcommand's module has `parser()` and `handle(options, env)`; anything else is `grade PATH...`.
SUBCOMMANDS = {
    "assign": assign,
    "batch": batch,
    "check-rubric": check_rubric,
    "gradescope-zip": gradescope_zip,
    "starters": starters,
}


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
    command = SUBCOMMANDS.get(args[0], grade) if args else grade
    rest = args[1:] if command is not grade else args
    try:
        with contextlib.redirect_stderr(env.stderr), contextlib.redirect_stdout(env.stdout):
            options = command.parser().parse_args(rest)
    except SystemExit as exc:  # argparse already printed the usage error or the help
        return Exit.USAGE if exc.code else Exit.OK
    try:
        return command.handle(options, env)
    except Exception as exc:
        if getattr(options, "traceback", False):
            traceback.print_exc(file=env.stderr)
        env.stderr.write(f"grade: {message_line(user_message(exc))}\n")
        return Exit.USAGE
