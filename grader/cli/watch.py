"""`grade --watch PATH`: grade one submission, then again on every save, redrawing a compact view.

Editors save by writing a new file and renaming it over the old one, so what is watched is the
path's stat (mtime, size, inode, device), polled: a rename is a change like any other, a path
briefly missing is a save under way, not an error. A save is graded once its stat has held still
for a moment (a save that writes twice is graded once), and a save that changed no byte is not
graded again.

Between runs the grader stays warm (rubric, checks, reference and numpy are loaded once), a
module's worker starts the moment a save has settled, before the checks are gathered, and a
notebook's kernels are forked from a fork server started with the watch (IPython imported once).
Ctrl-C (or SIGTERM) ends the watch with status 0; every worker, kernel and server is stopped on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.cli.common import Environment, Exit, grade_file, settings_of
from grader.errors import UsageError
from grader.text import message_line

if TYPE_CHECKING:
    from grader.notebook.forkserver import ForkServer
    from grader.result import Result

#: Seconds between two looks at the file's stat.
POLL_S = 0.1
#: How long a changed stat must hold still before the save is graded (a save may write twice).
SETTLE_S = 0.05
#: Ends each view when the output is not a terminal (a log, a pipe, a test reading it).
SEPARATOR = "─" * 60
#: Moves the cursor home and clears the screen: each view replaces the last one on a terminal.
CLEAR = "\033[H\033[2J"
#: Options that write machine outputs or set an exit threshold: they mean one run, not a watch.
ONE_RUN_OPTIONS = ("json", "junit", "gradescope", "prairielearn", "min_score")

#: What `os.stat` says of a file that changes when an editor saves it.
Stamp = tuple[int, int, int, int]
#: Writes the HTML report of a result of the watched file; returns where.
Report = Callable[["Result"], Path]


def watch(options: argparse.Namespace, env: Environment, report: Report | None) -> int:
    """Grade `options.paths[0]` now and on every save until Ctrl-C, which exits 0."""
    path = watched(options)
    stream, previous = env.stdout, None
    on_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with _kernels(path) as forks:
            for _ in saves(path):
                digest = _digest(path)
                if digest is None or (previous is not None and digest == previous.sha256):
                    continue  # gone again, or saved without a change: nothing new to grade
                stream.write(f"grading {message_line(path.name)}…\n")
                stream.flush()
                result, seconds = _grade(path, options, env, forks)
                stream.write(_view(result, previous, seconds, report, env.colour(stream), stream.isatty()))
                stream.flush()
                previous = result
    except KeyboardInterrupt:
        stream.write("\nstopped watching\n")
    finally:
        signal.signal(signal.SIGTERM, on_term)
    return Exit.OK


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the watch as Ctrl-C does: through the same clean-up, and status 0."""
    raise KeyboardInterrupt


def watched(options: argparse.Namespace) -> Path:
    """The one file `--watch` follows; a UsageError for anything else (several paths, a folder)."""
    given = [f"--{name.replace('_', '-')}" for name in ONE_RUN_OPTIONS if getattr(options, name) is not None]
    if given:
        raise UsageError(
            f"--watch shows a view on every save; {', '.join(given)} is for one run (drop --watch)"
        )
    if len(options.paths) != 1:
        raise UsageError(f"--watch follows one exerciseNN.py or .ipynb file, not {len(options.paths)} paths")
    path: Path = options.paths[0]
    if path.is_dir():
        raise UsageError(f"--watch follows one file, and {path} is a folder: name the exercise file in it")
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if path.suffix not in (".py", ".ipynb"):
        raise UsageError(f"--watch follows an exerciseNN.py or .ipynb file, not {path.name}")
    return path


def stamp(path: Path) -> Stamp | None:
    """The path's stat as a save changes it; None while it is missing (an editor renaming over it)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev)


def saves(
    path: Path, poll_s: float = POLL_S, settle_s: float = SETTLE_S, sleep: Callable[[float], Any] = time.sleep
) -> Iterator[Stamp | None]:
    """The file's stamp now, then each time it changed and then held still for `settle_s`; never ends."""
    graded = seen = stamp(path)
    yield graded
    while True:
        sleep(poll_s if seen == graded else settle_s)
        now = stamp(path)
        if now is not None and now == seen and now != graded:
            graded = now
            yield now
        seen = now


def _grade(
    path: Path, options: argparse.Namespace, env: Environment, forks: ForkServer | None
) -> tuple[Result, float]:
    """One run, timed from the settled save to the result: its worker started first, then the checks."""
    from grader.api import prestart

    started = time.perf_counter()
    result = grade_file(path, options, env, forks, prestart(path, settings_of(options), env.environ))
    return result, time.perf_counter() - started


def _view(
    result: Result, previous: Result | None, seconds: float, report: Report | None, colour: bool, tty: bool
) -> str:
    """One run's view: what changed since the last one first (the reason to look), then the rest."""
    from grader.terminal import changes, compact

    lines = [
        f"graded at {time.strftime('%H:%M:%S')} in {seconds:.2f} s",
        compact(result, colour).rstrip("\n"),
    ]
    if previous is not None:
        lines.append(changes(previous, result).rstrip("\n"))
    if report is not None:
        lines.append(f"  report: {message_line(str(report(result)))}")
    lines.append(f"watching {message_line(result.submission)} for saves; Ctrl-C to stop")
    text = "\n".join(lines) + "\n"
    return CLEAR + text if tty else text + SEPARATOR + "\n"


def _kernels(path: Path) -> AbstractContextManager[ForkServer | None]:
    """A fork server for the whole watch when it follows a notebook: each run forks a warm kernel."""
    if path.suffix != ".ipynb":
        return contextlib.nullcontext()
    from grader.notebook.forkserver import SUPPORTED, ForkServer

    return ForkServer() if SUPPORTED else contextlib.nullcontext()


def _digest(path: Path) -> str | None:
    """The file's sha256 as results give it; None if it is missing right now."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
