"""Grade on this machine: a pool of grading processes, one task at a time each.

Not `concurrent.futures.ProcessPoolExecutor`: when one of its processes dies, the
whole pool breaks and every task in flight fails with it. Here each grading process
has its own pipe, so a death (a grader bug, a killed process) costs exactly the task
that process was running: it becomes an error row, a fresh process takes its place,
and the others go on. Tasks go out pickled (the grader's own data); results come back
as JSON text.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import FrameType, TracebackType
from typing import cast

from grader.batch.task import Task, grade
from grader.sandbox.confinement import die_with_parent
from grader.sandbox.process import from_lifelong_thread

#: How long a grading process may take to exit once asked to (it closes its sandbox first).
STOP_GRACE_S = 5.0


class LocalPool:
    """Up to `jobs` grading processes, started as tasks need them."""

    def __init__(self, jobs: int, work: Callable[[Task], str] = grade) -> None:
        self._jobs = jobs
        self._work = work
        self._context = multiprocessing.get_context("spawn")  # no forked copy of the parent's threads
        self._idle: list[_Grader] = []
        self._busy: dict[Connection, tuple[_Grader, Task]] = {}

    def run(self, tasks: Iterable[Task]) -> Iterator[str]:
        """The outcome text (`Graded.dumps`) of each task, as soon as it is graded."""
        pending = iter(tasks)
        while True:
            self._dispatch(pending)
            if not self._busy:
                return
            for connection in wait(list(self._busy)):
                grader, task = self._busy.pop(cast(Connection, connection))
                yield self._collect(grader, task)

    def _dispatch(self, pending: Iterator[Task]) -> None:
        while len(self._busy) < self._jobs:
            task = next(pending, None)
            if task is None:
                return
            grader = self._idle.pop() if self._idle else _Grader(self._context, self._work)
            grader.connection.send(task)
            self._busy[grader.connection] = (grader, task)

    def _collect(self, grader: _Grader, task: Task) -> str:
        try:
            text: str = grader.connection.recv()
        except (EOFError, OSError):
            code = grader.wait()  # dead already: EOF means its end of the pipe closed
            return task.failure(f"the grading process died while grading this (exit status {code})").dumps()
        self._idle.append(grader)
        return text

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop every grading process, all at once."""
        for grader in self._idle:
            grader.process.kill()  # idle: it holds nothing
        busy = [grader for grader, _ in self._busy.values()]
        for grader in busy:
            grader.process.terminate()  # an interrupted batch: it closes the sandbox in hand first
        for grader in [*self._idle, *busy]:
            grader.wait()
        self._idle.clear()
        self._busy.clear()


class _Grader:
    """One grading process and the parent's end of its pipe; it dies with the parent."""

    def __init__(self, context: multiprocessing.context.SpawnContext, work: Callable[[Task], str]) -> None:
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, work, os.getpid()), daemon=True
        )
        from_lifelong_thread(self.process.start)  # not from a thread that may end before the batch
        child.close()  # the child's end lives only in the child: its death is EOF here

    def wait(self) -> int | None:
        """The exit status, once the process is gone (killed if it takes longer than the grace period)."""
        self.process.join(STOP_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()
        return self.process.exitcode


def _serve(connection: Connection, work: Callable[[Task], str], parent: int) -> None:
    """The grading process: grade each task received, until the parent stops it or dies."""
    die_with_parent(parent)  # then so do its workers, which die with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _exit)
    try:
        while True:
            connection.send(work(connection.recv()))
    except (EOFError, BrokenPipeError):
        pass  # the parent is gone (killed): nobody is left to grade for


def _exit(signum: int, frame: FrameType | None) -> None:
    """Unwind on SIGTERM, so the sandbox in use kills the student's processes on the way out."""
    sys.exit(128 + signum)
