"""A fork server for kernels: import IPython once, then fork a fresh kernel process per notebook.

Starting a kernel is mostly importing IPython, ipykernel and numpy. A fork server
pays for that once per ``grade DIR``: it imports them (and runs nothing else) and
forks each kernel from that state. Every notebook still gets a new process, forked
before any student code ran, that enters the sandbox with its own directory, pipes
and session, so nothing one notebook does reaches the next. The server serves the
notebooks of one student, graded one after the other: never share it between
students (a kernel could kill the server that its neighbours' kernels hang off).

The server reaps a kernel only when the grader asks, after killing its group: until
then the kernel's pid, and so its process group, cannot be reused by anyone else.
Each kernel comes back with a pidfd, which tells the grader when it has ended.

The server runs as the grader's user; a kernel meant to run as the workers' user (see
`grader.sandbox.user`) becomes it right after the fork, so no kernel can signal the server.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.sandbox.confinement import die_with_parent
from grader.sandbox.process import (
    FORK_SERVER_PREFIX,
    PIPES,
    Workspace,
    bootstrap_command,
    from_lifelong_thread,
    signal_group,
    worker_environment,
)
from grader.sandbox.user import WorkerUser

SERVER_ENTRY = "grader.notebook.forkserver"
#: What the server imports up front: everything a kernel would import before running a cell.
PRELOAD = (
    "numpy",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # imports debugpy: a third of a kernel's start otherwise
    "grader.notebook.kernel_boot",
    "grader.notebook.serve",
)
MESSAGE_BYTES = 1 << 20
#: How long the grader waits for the server (which first imports IPython) to answer.
ANSWER_TIMEOUT_S = 60.0
CLOSE_TIMEOUT_S = 5.0
#: Linux only: the grader learns that a kernel it did not start has ended through a pidfd.
SUPPORTED = sys.platform == "linux" and hasattr(os, "pidfd_open")


def for_notebooks(paths: Iterable[Path]) -> AbstractContextManager[ForkServer | None]:
    """A fork server for grading ``paths`` (one student's) if they hold several notebooks."""
    several = sum(path.suffix == ".ipynb" for path in paths) > 1
    return ForkServer() if several and SUPPORTED else nullcontext()


class ForkServerError(RuntimeError):
    """The fork server is gone or answered nonsense: start kernels the ordinary way."""


class ForkServer:
    """The grader's handle on one fork server process; usable from several threads."""

    def __init__(self) -> None:
        self._workspace = Workspace(FORK_SERVER_PREFIX)
        where = self._workspace.path
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            config = json.dumps({"socket_fd": theirs.fileno()})
            self._popen = from_lifelong_thread(
                lambda: subprocess.Popen(
                    bootstrap_command(SERVER_ENTRY, config),
                    cwd=where,
                    env=worker_environment(where),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(theirs.fileno(),),
                    start_new_session=True,
                )
            )
        except BaseException:
            ours.close()
            self._workspace.remove()
            raise
        finally:
            theirs.close()
        ours.settimeout(ANSWER_TIMEOUT_S)
        self._socket = ours
        self._lock = threading.Lock()

    def start(
        self, workdir: Path, entry: str, config: dict[str, Any], output_fd: int, user: WorkerUser | None
    ) -> ForkedProcess:
        """Fork a process running ``entry``: a :data:`grader.sandbox.process.Start`."""
        fork = {
            "workdir": str(workdir),
            "entry": entry,
            "config": config,
            "env": worker_environment(workdir),
            "user": asdict(user) if user else None,
        }
        fds = [*(config[key] for key in PIPES), output_fd]
        with self._lock:
            answer, pidfds = self._ask({"fork": fork}, fds)
        if not isinstance(answer.get("pid"), int) or len(pidfds) != 1:
            raise ForkServerError("the fork server did not fork")
        return ForkedProcess(self, answer["pid"], pidfds[0])

    def reap(self, pid: int) -> int:
        """Wait for the (killed) kernel ``pid`` to end; its return code, as Popen gives it."""
        with self._lock:
            answer, _ = self._ask({"reap": pid}, [])
        if not isinstance(answer.get("returncode"), int):
            raise ForkServerError("the fork server did not reap")
        return int(answer["returncode"])

    def close(self) -> None:
        """Stop the server; it kills the kernels it still has. Idempotent."""
        self._socket.close()
        try:
            self._popen.wait(CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait()
        self._workspace.remove()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _ask(self, request: dict[str, Any], fds: list[int]) -> tuple[dict[str, Any], list[int]]:
        try:
            socket.send_fds(self._socket, [json.dumps(request).encode()], fds)
            message, pidfds, _, _ = socket.recv_fds(self._socket, MESSAGE_BYTES, 1)
            answer = json.loads(message)
        except (OSError, ValueError) as exc:  # closed, timed out, or garbled
            raise ForkServerError(f"the fork server failed: {exc}") from None
        if not isinstance(answer, dict):
            raise ForkServerError("the fork server answered nonsense")
        return answer, pidfds


class ForkedProcess:
    """A forked kernel, seen through the parts of ``Popen`` a worker process uses, plus exited()."""

    def __init__(self, server: ForkServer, pid: int, pidfd: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._server, self._pidfd = server, pidfd

    def exited(self) -> bool:
        """Whether the kernel has ended (it stays unreaped until wait())."""
        poller = select.poll()
        poller.register(self._pidfd, select.POLLIN)
        return bool(poller.poll(0))

    def poll(self) -> int | None:
        return self.wait() if self.returncode is None and self.exited() else self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            try:
                self.returncode = self._server.reap(self.pid)
            except ForkServerError:  # the server died and the system reaped the kernel
                self.returncode = -signal.SIGKILL
            os.close(self._pidfd)
        return self.returncode


def main(config_json: str) -> None:
    """The server: preload, then fork kernels and reap them on request until the grader hangs up."""
    grader = socket.socket(fileno=json.loads(config_json)["socket_fd"])
    for module in PRELOAD:
        importlib.import_module(module)
    kernels: set[int] = set()
    try:
        while True:
            message, fds, _, _ = socket.recv_fds(grader, MESSAGE_BYTES, len(PIPES) + 1)
            if not message:
                break
            request = json.loads(message)
            if "fork" in request:
                pid = _fork(request["fork"], fds, grader)
                kernels.add(pid)
                pidfd = os.pidfd_open(pid)
                socket.send_fds(grader, [json.dumps({"pid": pid}).encode()], [pidfd])
                os.close(pidfd)
            else:
                grader.send(json.dumps(_reap(request.get("reap"), kernels)).encode())
    finally:
        for pid in kernels:
            _kill_group(pid)
        os._exit(0)


def _reap(pid: Any, kernels: set[int]) -> dict[str, Any]:
    if pid not in kernels:
        return {"error": f"no kernel {pid!r} to reap"}
    kernels.discard(pid)
    _, status = os.waitpid(pid, 0)
    return {"returncode": os.waitstatus_to_exitcode(status)}


def _fork(spec: dict[str, Any], fds: list[int], grader: socket.socket) -> int:
    """Fork a kernel; in the parent, close the kernel's ends of its pipes and return its pid."""
    if threading.active_count() != 1 or len(os.listdir("/proc/self/task")) != 1:
        raise RuntimeError("the fork server must stay single-threaded")  # a fork would copy held locks
    server = os.getpid()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    code = 1
    try:
        if spec["user"]:
            WorkerUser(**spec["user"]).become()  # first: it clears a parent-death signal set before
        die_with_parent(server)
        grader.close()
        _become_kernel(spec, fds)
        code = 0
    except BaseException:
        traceback.print_exc()  # into the kernel's output, as a failed start of a fresh process would
    finally:
        os._exit(code)


def _become_kernel(spec: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: take the place a freshly started worker process would have."""
    *pipes, output_fd = fds
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(null)
    os.close(output_fd)
    os.chdir(spec["workdir"])
    os.environ.clear()
    os.environ.update(spec["env"])
    tempfile.tempdir = None  # gettempdir() must find the kernel's own TMPDIR
    config = {**spec["config"], **dict(zip(PIPES, pipes, strict=True))}
    importlib.import_module(spec["entry"]).main(json.dumps(config))


def _kill_group(pid: int) -> None:
    signal_group(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
