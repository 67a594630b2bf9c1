"""One incarnation of the worker: its process group, temporary directory, pipes and output.

A :class:`WorkerProcess` is spawned on construction and lives until :meth:`kill`,
which removes every trace of it: the whole process group (so processes the
student started die too), the pipes, the output thread and the directory.
Should the grader die first, the worker dies with it (a parent-death signal, see
:func:`from_lifelong_thread`) and the next run removes its directory (see :class:`Workspace`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import site
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from queue import SimpleQueue
from typing import Any, TypeVar

from grader.errors import UsageError
from grader.sandbox import protocol, stack
from grader.sandbox.channel import Channel, ChannelClosed, ChannelTimeout
from grader.sandbox.output import CappedOutput, OutputDrain
from grader.sandbox.policy import sandbox_paths
from grader.sandbox.user import ENVIRONMENT, WorkerUser

#: The directory holding the ``grader`` package; the worker imports it from there.
GRADER_ROOT = Path(__file__).resolve().parents[2]
#: Ties the child's life to its parent's (whose pid is the second argument), imports the entry
#: module from the grader root, then takes that root off sys.path (it also holds the course's
#: solutions, and the submission may not even list it). The fifth argument lists the folders of
#: installed packages for an interpreter started without `site` (see `bootstrap_command`).
BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); sys.path += sys.argv[5:]; "
    "from grader.sandbox.confinement import die_with_parent; "
    "die_with_parent(int(sys.argv[2])); import importlib; "
    "entry = importlib.import_module(sys.argv[3]); del sys.path[0]; entry.main(sys.argv[4])"
)
#: The module whose ``main(config_json)`` runs in the worker process.
WORKER_ENTRY = "grader.sandbox.serve"
#: Hardware hints OpenBLAS needs on some CPUs; passed through when the grader has them.
KEPT_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: Cap on one reply line: well above the largest honest answer (about 1 MiB), small enough that
#: decoding the worst reply takes well under a second and little memory.
MAX_REPLY_BYTES = 16 * 1024**2
SPAWN_DEFENCES = (
    "separate process",
    "isolated interpreter (-I)",
    "scrubbed environment",
    "temporary working directory",
    "own process group (killed as a whole)",
)
POLL_S = 0.01
#: The keys of a worker's config that hold its ends of the private pipes: requests, replies, stack dumps.
PIPES = ("request_fd", "reply_fd", "dump_fd")
#: Starts the worker program: ``start(workdir, entry, config, output_fd, user)`` returns a Popen-like
#: object (``pid``, ``returncode``, ``poll()``, ``wait()``) for a process in its own session.
#: ``config`` holds the child's ends of its private pipes (`PIPES`); ``output_fd`` is its stdout and
#: stderr; ``user``, if any, is the account it runs as (see `grader.sandbox.user`).
Start = Callable[[Path, str, dict[str, Any], int, WorkerUser | None], Any]
#: After EOF on the channel, how long the worker may take to finish exiting.
EXIT_GRACE_S = 1.0
#: Open files a module worker may hold (it needs 6): pipes and socket pairs are memory too.
WORKER_OPEN_FILES = 64
#: Name prefixes of the workspaces of workers (and kernels) and of kernel fork servers.
WORKER_PREFIX, FORK_SERVER_PREFIX = "grader-sandbox-", "grader-forkserver-"
#: The folder inside a workspace that its process is given.
WORK = "work"
#: Opens a folder, never a symbolic link.
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
T = TypeVar("T")


class WorkerProcess:
    """A worker process importing ``submission`` from a fresh copy in a temporary directory."""

    def __init__(
        self,
        submission: Path,
        *,
        memory_bytes: int,
        file_bytes: int,
        extra_sys_path: Sequence[str],
        output: CappedOutput,
        cpu_seconds: int | None = None,
        open_files: int = WORKER_OPEN_FILES,
        entry: str = WORKER_ENTRY,
        extra_config: Mapping[str, Any] | None = None,
        start: Start | None = None,
        content: bytes | None = None,
        user: WorkerUser | None = None,
    ) -> None:
        """``cpu_seconds`` caps the worker's CPU time (a backstop: it is killed past it).

        ``content`` is the submission's bytes as the grader read them (default: read now); the
        worker runs a copy of them. With ``user``, the worker runs as that account, which owns its
        directory and the copy. ``open_files``, ``entry``, ``extra_config`` and ``start``
        let the notebook kernel reuse this launch.
        """
        self._name = submission.name
        self._content = submission.read_bytes() if content is None else content
        self._workspace = Workspace(WORKER_PREFIX)
        self.workdir = self._workspace.path
        try:
            copy = self.workdir / submission.name
            copy.write_bytes(self._content)
            if user is not None:
                self._workspace.admit(user)
            settings = {
                **(extra_config or {}),
                "submission": str(copy),
                "memory_bytes": memory_bytes,
                "file_bytes": file_bytes,
                "cpu_seconds": cpu_seconds,
                "open_files": open_files,
                "sys_path": [str(p) for p in extra_sys_path],
                "paths": sandbox_paths(self.workdir, GRADER_ROOT, map(str, extra_sys_path)).to_json(),
            }
            spawned = _spawn(self.workdir, entry, settings, start or _start, user)
        except BaseException:
            self._workspace.remove()
            raise
        self._popen, request_w, reply_r, self._dump, output_r = spawned
        self._copy = str(copy)
        self.started_at = time.monotonic()
        self.channel = Channel(request_w, reply_r, MAX_REPLY_BYTES, self.has_exited)
        self._drain = OutputDrain(output_r, output)
        self._locating = threading.Lock()  # the dump pipe: one reader at a time, closed by kill()
        self._killed = False

    def settle_output(self) -> None:
        """Wait until what the worker printed so far is in the captured output (see OutputDrain.settle)."""
        self._drain.settle()

    @property
    def pid(self) -> int:
        """The worker's pid, for reading ``/proc/<pid>/...`` from outside; valid until kill()."""
        return int(self._popen.pid)

    def has_exited(self) -> bool:
        """Whether the worker has ended, *without* reaping it.

        While the leader is unreaped its pid cannot be reused, so killing its
        process group later can never hit an unrelated process.
        """
        if self._popen.returncode is not None:
            return True
        if not hasattr(os, "waitid"):  # macOS: fall back to reaping
            return self._popen.poll() is not None
        try:
            flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
            return os.waitid(os.P_PID, self._popen.pid, flags) is not None
        except ChildProcessError:
            return True

    def death(self) -> str:
        """After EOF: let the worker finish dying, kill what is left, say how it ended."""
        exited = self._wait_exit(time.monotonic() + EXIT_GRACE_S)
        self.kill()
        if not exited:
            return "the worker process closed the grader's channel"
        return _describe_exit(self._popen.returncode)

    def stop(self, grace_s: float) -> None:
        """Ask the worker to exit, give it ``grace_s`` to flush its output, then kill()."""
        deadline = time.monotonic() + grace_s
        self._request_shutdown(deadline)
        self._wait_exit(deadline)
        self.kill()

    def _request_shutdown(self, deadline: float) -> None:
        try:
            self.channel.send(protocol.encode({"probe": protocol.SHUTDOWN}), deadline)
        except (ChannelClosed, ChannelTimeout, OSError):
            pass  # kill() follows regardless

    def locate(self) -> list[stack.Frame]:
        """The submission's frames on the worker's stack now, outermost first; [] if it cannot tell.

        For a worker about to be killed: the signal interrupts what it was doing (see
        `grader.sandbox.stack`), and waiting for the dump takes up to `stack.DUMP_WAIT_S`.
        """
        with self._locating:
            if self._killed or self.has_exited():
                return []
            stack.drain(self._dump)
            os.kill(self.pid, stack.DUMP_SIGNAL)
            dump = stack.read_dump(self._dump, time.monotonic() + stack.DUMP_WAIT_S)
        return stack.frames(dump, self.sources())

    def sources(self) -> dict[str, stack.Source]:
        """The files of the submission's code, by the name the worker compiled them under."""
        text = self._content.decode("utf-8-sig", errors="replace")
        return {self._copy: stack.Source(self._name, "", text)}

    def kill(self) -> None:
        """Kill the whole process group and release everything this incarnation holds."""
        with self._locating:
            if self._killed:
                return
            self._killed = True
        signal_group(self._popen.pid, signal.SIGKILL)
        self._popen.wait()
        self._drain.stop()
        self.channel.close()
        os.close(self._dump)
        self._workspace.remove()

    def _wait_exit(self, deadline: float) -> bool:
        """Wait for the worker to end, woken by its exit where the OS can say so (a pidfd)."""
        with _exit_watch(self.pid) as watch:
            while not self.has_exited():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                watch(min(remaining, POLL_S))
        return True


@contextlib.contextmanager
def _exit_watch(pid: int) -> Iterator[Callable[[float], object]]:
    """A wait of at most some seconds that ends early when process `pid` exits (Linux pidfd), else a sleep."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        yield time.sleep
        return
    try:
        yield lambda seconds: select.select([pidfd], [], [], seconds)
    finally:
        os.close(pidfd)


def _spawn(
    workdir: Path, entry: str, settings: dict[str, Any], start: Start, user: WorkerUser | None
) -> tuple[Any, int, int, int, int]:
    """Start a worker in its own session; return it and the grader's ends of its four pipes.

    The channel pipes are passed by fd number, so they never mix with what the
    student prints on stdout and stderr (one pipe, drained separately); so is the pipe
    the worker dumps its stack to when asked where it is (see `grader.sandbox.stack`).
    """
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    dump_r, dump_w = os.pipe()
    output_r, output_w = os.pipe()
    config = {**settings, "request_fd": request_r, "reply_fd": reply_w, "dump_fd": dump_w}
    try:
        popen = start(workdir, entry, config, output_w, user)
    except BaseException:
        for fd in (request_w, reply_r, dump_r, output_r):
            os.close(fd)
        raise
    finally:
        for fd in (request_r, reply_w, dump_w, output_w):
            os.close(fd)
    os.set_blocking(dump_r, False)
    return popen, request_w, reply_r, dump_r, output_r


def _start(
    workdir: Path, entry: str, config: dict[str, Any], output_fd: int, user: WorkerUser | None
) -> subprocess.Popen[bytes]:
    """A fresh interpreter running ``entry``; the default way to :data:`Start` a worker."""
    ids: dict[str, Any] = {} if user is None else {"user": user.uid, "group": user.gid, "extra_groups": []}
    try:
        return from_lifelong_thread(
            lambda: subprocess.Popen(
                bootstrap_command(entry, json.dumps(config), with_site=entry != WORKER_ENTRY),
                cwd=workdir,
                env=worker_environment(workdir),
                stdin=subprocess.DEVNULL,
                stdout=output_fd,
                stderr=subprocess.STDOUT,
                pass_fds=[config[key] for key in PIPES],
                start_new_session=True,
                **ids,
            )
        )
    except PermissionError as exc:
        if user is None:
            raise
        raise UsageError(f"{ENVIRONMENT}={user.name}: that user cannot start the worker ({exc})") from None


def bootstrap_command(entry: str, argument: str, with_site: bool = True) -> list[str]:
    """Run ``<entry>.main(argument)`` in a fresh interpreter that dies with this process.

    Without `with_site` the interpreter skips `site` (and every `.pth` file, such as an editable
    install's import hook): the grader hands it the package folders instead, which is all a
    module worker needs, and it starts ~20 ms sooner. A Jupyter kernel keeps `site`.
    """
    # The grader's own modules may leave bytecode like the grader does (enter_sandbox stops it
    # before any student code runs): the next worker then starts without compiling them.
    flags = ["-I", *(["-B"] if sys.dont_write_bytecode else []), *([] if with_site else ["-S"])]
    packages = [] if with_site else [p for p in site.getsitepackages() if os.path.isdir(p)]
    return [
        sys.executable,
        *flags,
        "-c",
        BOOTSTRAP,
        str(GRADER_ROOT),
        str(os.getpid()),
        entry,
        argument,
        *packages,
    ]


class _LifelongThread:
    """The one thread of this process that starts its children, and lives as long as the process.

    A child's parent-death signal fires when the *thread* that forked it ends, not the
    process: a worker started from a short-lived thread (a Dask task, a thread pool)
    would be killed when that thread ends. Forked from this thread, a child lives
    exactly as long as the grader process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._requests: SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = SimpleQueue()

    def run(self, function: Callable[[], T]) -> T:
        with self._lock:
            if self._pid != os.getpid():  # the first call, or the first in a forked child
                self._requests = SimpleQueue()
                threading.Thread(target=_serve, args=(self._requests,), name="lifelong", daemon=True).start()
                self._pid = os.getpid()
            future: Future[T] = Future()
            self._requests.put((function, future))
        return future.result()


def _serve(requests: SimpleQueue[tuple[Callable[[], Any], Future[Any]]]) -> None:
    while True:
        function, future = requests.get()
        try:
            future.set_result(function())
        except BaseException as exc:  # the caller's to handle; this thread must go on
            future.set_exception(exc)


_LIFELONG = _LifelongThread()


def from_lifelong_thread(function: Callable[[], T]) -> T:
    """``function()`` (which starts a child process) run in this process's lifelong thread."""
    return _LIFELONG.run(function)


def _describe_exit(code: int) -> str:
    if code >= 0:
        return f"the worker process exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    if -code == signal.SIGKILL:
        return f"memory limit exceeded, most likely: the worker process was killed by {name}"
    return f"the worker process was killed by {name}"


def worker_environment(workdir: Path) -> dict[str, str]:
    """A minimal environment: nothing of the grader's secrets or settings leaks in."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        # matplotlib insists on a directory it believes writable; it runs without saving its cache.
        "MPLCONFIGDIR": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        # One BLAS thread: predictable timing, and confinement needs a single thread.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ})
    return env


class Workspace:
    """A folder for one sandboxed process, locked by this process for as long as the folder lives.

    ``root`` is the grader's alone and holds ``path`` (``root/work``), the folder the
    sandboxed process is given. The lock is a flock on ``root`` itself, out of the
    student's reach. A killed grader leaves its workspaces behind; the next run's
    :func:`sweep_stale` removes those it can lock, never one a live grader holds.
    """

    def __init__(self, prefix: str) -> None:
        _sweep_once(Path(tempfile.gettempdir()))
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.path = self.root / WORK
        self._lock: int | None = os.open(self.root, FOLDER)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX)  # waits only for a sweeper that found no work/ yet
            self.path.mkdir()  # only ever under the lock: a sweeper removes only folders holding one
        except BaseException:
            self.remove()
            raise

    def admit(self, user: WorkerUser) -> None:
        """Give ``path`` and what is in it to ``user``, for its eyes only; ``root`` stays the grader's,
        to pass through, not to list."""
        os.chmod(self.root, 0o711)
        os.chmod(self.path, 0o700)
        for path in (self.path, *self.path.iterdir()):
            os.chown(path, user.uid, user.gid, follow_symlinks=False)

    def remove(self) -> None:
        """Delete the whole workspace, then let go of its lock. Idempotent."""
        if self._lock is not None:
            remove_tree(self.root)
            os.close(self._lock)
            self._lock = None


_swept: set[tuple[int, Path]] = set()
_sweep_lock = threading.Lock()


def _sweep_once(folder: Path) -> None:
    """Sweep ``folder`` on this process's first workspace there."""
    with _sweep_lock:
        if (os.getpid(), folder) in _swept:
            return
        _swept.add((os.getpid(), folder))
    sweep_stale(folder)


def sweep_stale(folder: Path) -> None:
    """Remove the workspaces in ``folder`` whose owner has died (their lock is free)."""
    try:
        with os.scandir(folder) as entries:
            roots = [Path(e.path) for e in entries if e.name.startswith((WORKER_PREFIX, FORK_SERVER_PREFIX))]
    except OSError:
        return
    for root in roots:
        try:
            fd = os.open(root, FOLDER)
        except OSError:
            continue  # gone, a symbolic link, or someone else's
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if stat.S_ISDIR(os.stat(WORK, dir_fd=fd, follow_symlinks=False).st_mode):
                remove_tree(root)
        except OSError:
            pass  # locked by a live owner, or still being made
        finally:
            os.close(fd)


def remove_tree(root: Path) -> None:
    """Delete ``root`` and everything in it, however deep, without following a symbolic link.

    Iterative (a student can nest folders far deeper than the recursion limit), through
    directory descriptors (a folder swapped for a link is deleted as a link, never entered),
    giving back the permissions a student removed. Best effort: what cannot be deleted stays.
    """
    try:
        if stat.S_ISDIR(os.lstat(root).st_mode):
            _empty(_open_folder(str(root), None))
            os.rmdir(root)
        else:
            os.unlink(root)
    except OSError:
        pass


def _empty(fd: int) -> None:
    """Delete everything inside the folder open as ``fd`` (closed on return), depth first, one level open."""
    above: list[tuple[str, os.stat_result, list[str]]] = []  # (name, parent, its folders left) per level
    try:
        here, todo = os.fstat(fd), _clear(fd)
        while todo or above:
            if todo:
                name = todo.pop()
                child = _open_folder(name, fd)
                above.append((name, here, todo))
                os.close(fd)
                fd = child
                here, todo = os.fstat(fd), _clear(fd)
                continue
            name, parent, todo = above.pop()
            up = os.open("..", FOLDER, dir_fd=fd)
            os.close(fd)
            fd, here = up, os.fstat(up)
            if (here.st_dev, here.st_ino) != (parent.st_dev, parent.st_ino):
                raise OSError(f"the tree changed while being removed (at {name!r})")
            os.rmdir(name, dir_fd=fd)
    finally:
        os.close(fd)


def _open_folder(name: str, parent: int | None) -> int:
    """Open a folder (never a link), restoring the rights to list it and delete in it."""
    try:
        fd = os.open(name, FOLDER, dir_fd=parent)
    except PermissionError:  # a folder: a link would have failed with ELOOP instead
        os.chmod(name, 0o700, dir_fd=parent)
        fd = os.open(name, FOLDER, dir_fd=parent)
    try:
        os.fchmod(fd, 0o700)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _clear(fd: int) -> list[str]:
    """Unlink everything in the folder but its subfolders, and return their names."""
    folders = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.name)
            else:
                os.unlink(entry.name, dir_fd=fd)
    return folders


def signal_group(pid: int, signum: int) -> None:
    """Signal a worker's whole process group; one that is already gone needs nothing."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
