"""Run the checks in a forked child of the kernel: a copy of the live state that may hang or crash.

The child (`os.fork`) grades its copy of the namespace, so nothing a check does can change the
student's variables, and tells the parent over a pipe when each check starts and, at the end,
the result (JSON). The parent (the kernel) waits with a deadline: a check that overruns its time
limit, or whose process dies, is stopped there (the child is killed) and settled as a timeout or
an error, and a fresh child grades the checks that remain. The kernel is never left waiting.

Fork and threads: the kernel runs threads (its IO pub thread, heartbeat, zmq's), and Python 3.12+
warns (DeprecationWarning) that a child forked from a threaded process may deadlock on a lock
another thread held. The child here takes none of their locks: it never touches the kernel's
sockets or streams (its prints go to a buffer, fds 1 and 2 to /dev/null), runs only the checks
on its main thread, and leaves by `os._exit` (no atexit hooks, no thread joins). The warning is
silenced for that one call. Without `os.fork` (Windows) the checks run in the kernel itself, with
a warning: no time limit then, and the student's code runs on the live objects.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from grader.inline.judge import Announce, Settled
from grader.sandbox import stack

#: Beyond a check's own time limit, for the child to finish the case it is on and report.
GRACE_S = 0.5
TIMED_OUT = "did not finish within {limit:g} s ({running})"
DIED = "the submission's process died ({how})"
NO_FORK = (
    "this platform cannot fork the kernel: the checks run in the kernel itself, "
    "without a time limit (a check that hangs needs Kernel > Interrupt)"
)

#: The child's work: settled checks and the announcer in, the payload for the display out.
Work = Callable[[Mapping[str, Settled], Announce], dict[str, Any]]


class ChecksFailed(Exception):
    """The checks' process ended without a result, outside any check (the grader's own failure)."""


def run(work: Work, cap_s: float, sources: Mapping[str, stack.Source]) -> dict[str, Any]:
    """`work`'s payload, computed in forked children until one finishes within `cap_s` in all;
    `sources` (the student's cells by the file names IPython compiled them as) say where a check hung."""
    if not hasattr(os, "fork"):
        warnings.warn(NO_FORK, RuntimeWarning, stacklevel=3)
        return work({}, lambda check, limit: None)
    settled: dict[str, Settled] = {}
    deadline = time.monotonic() + cap_s
    while True:
        ended = _one_child(work, settled, deadline, sources)
        if isinstance(ended, dict):
            return ended
        check, outcome = ended
        settled[check] = outcome


@dataclass
class _Running:
    check: str
    limit: float
    started: float


def _one_child(
    work: Work, settled: Mapping[str, Settled], deadline: float, sources: Mapping[str, stack.Source]
) -> dict[str, Any] | tuple[str, Settled]:
    """The payload of one child, or the check it was stopped in and how that check ended."""
    read_fd, write_fd = os.pipe()
    dump_read, dump_write = os.pipe()
    os.set_blocking(dump_read, False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: see the module's doc
        pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        os.close(dump_read)
        stack.register(dump_write)  # where it was, should it overrun
        _child(work, settled, write_fd)
    os.close(write_fd)
    os.close(dump_write)
    try:
        return _watch(pid, read_fd, deadline, lambda: _where(pid, dump_read, sources))
    finally:
        os.close(read_fd)
        os.close(dump_read)
        _reap(pid)


def _child(work: Work, settled: Mapping[str, Settled], write_fd: int) -> None:
    """In the child: do the work, send each check's start and then the payload, and leave."""
    status = 1
    try:
        _quiet_descriptors()
        signal.signal(
            signal.SIGINT, signal.SIG_DFL
        )  # an interrupt meant for the kernel ends only the kernel's wait
        payload = work(settled, lambda check, limit: _send(write_fd, {"check": check, "limit": limit}))
        _send(write_fd, {"done": payload})
        status = 0
    except BaseException:
        try:
            _send(write_fd, {"failed": traceback.format_exc()})
        except BaseException:  # the parent is gone: nothing to tell
            pass
    finally:
        os._exit(status)


def _watch(
    pid: int, read_fd: int, deadline: float, where: Callable[[], str]
) -> dict[str, Any] | tuple[str, Settled]:
    """Read the child's lines until its payload, its end, or the running check's deadline (then
    `where` says what the child was running)."""
    running: _Running | None = None
    pending = b""
    while True:
        until = deadline if running is None else min(deadline, running.started + running.limit + GRACE_S)
        ready, _, _ = select.select([read_fd], [], [], max(until - time.monotonic(), 0))
        if not ready:
            running_at = where()
            os.kill(pid, signal.SIGKILL)
            if running is None:
                raise ChecksFailed("the checks did not finish in time")
            return running.check, Settled(
                "timeout", TIMED_OUT.format(limit=running.limit, running=running_at)
            )
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            how = _how_it_ended(pid)
            if running is None:
                raise ChecksFailed(f"the checks' process ended without a result ({how})")
            return running.check, Settled("error", DIED.format(how=how))
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            message = json.loads(line)
            if "done" in message:
                return dict(message["done"])
            if "failed" in message:
                raise ChecksFailed(message["failed"])
            running = _Running(message["check"], float(message["limit"]), time.monotonic())


def _where(pid: int, dump_fd: int, sources: Mapping[str, stack.Source]) -> str:
    """What the child is running, from its stack dump: "it was running cell [3], line 2: `…`"."""
    os.kill(pid, stack.DUMP_SIGNAL)
    found = stack.frames(stack.read_dump(dump_fd, time.monotonic() + stack.DUMP_WAIT_S), sources)
    return f"it was running {found[-1].where}" if found else "an infinite loop?"


def _send(fd: int, message: dict[str, Any]) -> None:
    data = memoryview(json.dumps(message).encode() + b"\n")
    while data:
        data = data[os.write(fd, data) :]


def _quiet_descriptors() -> None:
    """Point fds 1 and 2 at /dev/null: in a forked kernel they are the pipes the kernel forwards."""
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(null, fd)
    os.close(null)


def _how_it_ended(pid: int) -> str:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _reap(pid: int) -> None:
    """Kill the child if it still runs, and collect it (no zombie is left in the kernel); one
    collected already is left alone (its pid may be another process's by now)."""
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass
