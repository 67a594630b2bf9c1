"""What every subcommand shares: exit statuses, streams, the grading settings, grading one file."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from grader import settings as settings_module
from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.notebook.forkserver import ForkServer
    from grader.result import Result
    from grader.sandbox.supervisor import Worker


class Exit(IntEnum):
    OK = 0
    NOT_PASSED = 1
    USAGE = 2
    INTERRUPTED = 130


class Forgiving(io.TextIOBase):
    """A stream whose reader may leave (`grade … | head`): what nobody reads any more is dropped and
    the work goes on, so the files asked for (--json, reports) are still written and the exit status
    is still the grade's."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        self._quietly(lambda: self._stream.write(text))
        return len(text)

    def flush(self) -> None:
        self._quietly(self._stream.flush)

    def isatty(self) -> bool:
        return self._stream.isatty()

    def _quietly(self, action: Any) -> None:
        if self._gone:
            return
        try:
            action()
        except BrokenPipeError:
            self._gone = True


def _forgiving(stream: IO[str]) -> IO[str]:
    return Forgiving(stream)  # type: ignore[return-value]  # a TextIOBase is a text stream


@dataclass
class Environment:
    """What the command talks to; tests inject their own to run the CLI in-process."""

    stdout: IO[str] = field(default_factory=lambda: _forgiving(sys.stdout))
    stderr: IO[str] = field(default_factory=lambda: _forgiving(sys.stderr))
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def colour(self, stream: IO[str]) -> bool:
        return stream.isatty() and "NO_COLOR" not in self.environ


def add_settings(parser: argparse.ArgumentParser) -> None:
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
    add_traceback(parser)


def add_release(parser: argparse.ArgumentParser) -> None:
    """`--release`: students may see every check's result (after the due date; the grader cannot know it)."""
    parser.add_argument(
        "--release",
        action="store_true",
        help="show hidden checks' results to students, e.g. after the due date "
        "(default: their title and maximum points only; env GRADER_RELEASE=1)",
    )


def add_traceback(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--traceback", action="store_true", help="show the grader's own traceback on errors")


def settings_of(options: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line, as `grader.settings.resolve` takes them."""
    return settings_module.given(**{name: getattr(options, name) for name in settings_module.ENV})


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def write(target: str, text: str, env: Environment) -> None:
    """Write a machine output to a file, or to stdout for `-`."""
    if target == "-":
        env.stdout.write(text)
    else:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(text, encoding="utf-8")


def user_message(exc: Exception) -> str:
    """What to tell the user: a usage error as it is; anything else is the grader's own bug."""
    if isinstance(exc, UsageError | OSError):
        return str(exc)
    return f"internal error ({type(exc).__name__}: {exc}); rerun with --traceback and report it"


def grade_file(
    path: Path, options: argparse.Namespace, env: Environment, forks: ForkServer | None, worker: Worker | None
) -> Result:
    """One file graded as the command line says (rubric, course, settings, --release), by `worker`
    when one was started for it."""
    from grader.api import grade_submission
    from grader.visibility import release_asked

    result = grade_submission(
        path,
        rubric=options.rubric,
        course_dir=options.course,
        overrides=settings_of(options),
        env=env.environ,
        forks=forks,
        worker=worker,
    )
    result.released = release_asked(options.release, env.environ)
    return result
