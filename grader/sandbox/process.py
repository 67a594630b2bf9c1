"""One incarnation of the worker: its process group, temporary directory, pipes and output.

A :class:`WorkerProcess` is spawned on construction and lives until :meth:`kill`,
which removes every trace of it: the whole process group (so processes the
student started die too), the pipes, the output thread and the directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.sandbox import protocol
from grader.sandbox.channel import Channel, ChannelClosed, ChannelTimeout
from grader.sandbox.output import CappedOutput, OutputDrain
from grader.sandbox.policy import sandbox_paths

#: The directory holding the ``grader`` package; the worker imports it from there.
GRADER_ROOT = Path(__file__).resolve().parents[2]
#: Imports the entry module from the grader root, then takes that root off sys.path (it
#: also holds the course's solutions, and the submission may not even list it).
BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); import importlib; "
    "entry = importlib.import_module(sys.argv[2]); del sys.path[0]; entry.main(sys.argv[3])"
)
#: The module whose ``main(config_json)`` runs in the worker process.
WORKER_ENTRY = "grader.sandbox.worker"
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
#: Starts the worker program: ``start(workdir, entry, config, output_fd)`` returns a Popen-like
#: object (``pid``, ``returncode``, ``poll()``, ``wait()``) for a process in its own session.
#: ``config`` holds the child's ends of the channel pipes; ``output_fd`` is its stdout and stderr.
Start = Callable[[Path, str, dict[str, Any], int], Any]
#: After EOF on the channel, how long the worker may take to finish exiting.
EXIT_GRACE_S = 1.0


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
        entry: str = WORKER_ENTRY,
        extra_config: Mapping[str, Any] | None = None,
        start: Start | None = None,
    ) -> None:
        """``entry``, ``extra_config`` and ``start`` let the notebook kernel reuse this launch."""
        self.workdir = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        try:
            copy = self.workdir / submission.name
            shutil.copyfile(submission, copy)
            settings = {
                **(extra_config or {}),
                "submission": str(copy),
                "memory_bytes": memory_bytes,
                "file_bytes": file_bytes,
                "sys_path": [str(p) for p in extra_sys_path],
                "paths": sandbox_paths(self.workdir, GRADER_ROOT, map(str, extra_sys_path)).to_json(),
            }
            self._popen, request_w, reply_r, output_r = _spawn(self.workdir, entry, settings, start or _start)
        except BaseException:
            _remove_tree(self.workdir)
            raise
        self.started_at = time.monotonic()
        self.channel = Channel(request_w, reply_r, MAX_REPLY_BYTES, self.has_exited)
        self._drain = OutputDrain(output_r, output)
        self._killed = False

    def settle_output(self) -> None:
        """Wait until what the worker printed so far is in the captured output (see OutputDrain.settle)."""
        self._drain.settle()

    @property
    def pid(self) -> int:
        """The worker's process id, for reading its accounting from outside (valid until kill())."""
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

    def kill(self) -> None:
        """Kill the whole process group and release everything this incarnation holds."""
        if self._killed:
            return
        self._killed = True
        signal_group(self._popen.pid, signal.SIGKILL)
        self._popen.wait()
        self._drain.stop()
        self.channel.close()
        _remove_tree(self.workdir)

    def _wait_exit(self, deadline: float) -> bool:
        while not self.has_exited():
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)
        return True


def _spawn(workdir: Path, entry: str, settings: dict[str, Any], start: Start) -> tuple[Any, int, int, int]:
    """Start a worker in its own session; return it and the grader's ends of its three pipes.

    The channel pipes are passed by fd number, so they never mix with what the
    student prints on stdout and stderr (one pipe, drained separately).
    """
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    output_r, output_w = os.pipe()
    config = {**settings, "request_fd": request_r, "reply_fd": reply_w}
    try:
        popen = start(workdir, entry, config, output_w)
    except BaseException:
        for fd in (request_w, reply_r, output_r):
            os.close(fd)
        raise
    finally:
        for fd in (request_r, reply_w, output_w):
            os.close(fd)
    return popen, request_w, reply_r, output_r


def _start(workdir: Path, entry: str, config: dict[str, Any], output_fd: int) -> subprocess.Popen[bytes]:
    """A fresh interpreter running ``entry``; the default way to :data:`Start` a worker."""
    return subprocess.Popen(
        [sys.executable, "-I", "-B", "-c", BOOTSTRAP, str(GRADER_ROOT), entry, json.dumps(config)],
        cwd=workdir,
        env=worker_environment(workdir),
        stdin=subprocess.DEVNULL,
        stdout=output_fd,
        stderr=subprocess.STDOUT,
        pass_fds=(config["request_fd"], config["reply_fd"]),
        start_new_session=True,
    )


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
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        # One BLAS thread: predictable timing, and confinement needs a single thread.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in KEPT_ENVIRONMENT if k in os.environ})
    return env


def _remove_tree(root: Path) -> None:
    """Delete the worker's directory even where the student removed our permissions.

    Never follows a symlink: a student who swapped the directory for a link to
    somewhere else must not get us to chmod or delete that place.
    """
    if root.is_symlink():
        root.unlink()
        return
    if not root.is_dir():
        return
    root.chmod(0o700)
    for parent, dirs, _ in os.walk(root):
        for name in dirs:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)
    shutil.rmtree(root, ignore_errors=True)


def signal_group(pid: int, signum: int) -> None:
    """Signal a worker's whole process group; one that is already gone needs nothing."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
