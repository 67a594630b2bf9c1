"""What the submission cannot do, refused in Python (the audit hook) and by the kernel (Landlock, seccomp)."""

from __future__ import annotations

import errno
import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from grader.sandbox import audit, landlock, seccomp
from grader.sandbox.supervisor import Worker
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

SNOOP = """
    import ctypes
    import mmap
    import os
    import socket
    import subprocess
    from pathlib import Path

    import grader

    libc = ctypes.CDLL(None, use_errno=True)  # native calls raise no audit events
    COURSE = Path(grader.__file__).resolve().parents[1]

    def where():
        return os.getcwd()

    def environment():
        return dict(os.environ)

    def write(path):
        with open(path, "w") as f:
            f.write("escaped")

    def peek():
        import reference

    def read(path):
        return open(COURSE / path).read()

    def spawn():
        return subprocess.Popen(["sleep", "1000"]).pid

    def signal_grader():
        os.kill(os.getppid(), 0)

    def connect(port):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

    def errno(result):
        return ctypes.get_errno() if result < 0 else 0

    def write_natively(path):
        return errno(libc.open(path.encode(), os.O_WRONLY | os.O_CREAT, 0o644))

    def read_natively(path):
        return errno(libc.open(str(COURSE / path).encode(), os.O_RDONLY))

    def fork_natively():
        pid = libc.fork()
        if pid == 0:
            os._exit(0)
        return errno(pid)

    def signal_natively():
        return errno(libc.kill(os.getppid(), 0))

    def interfaces():
        return socket.if_nameindex()

    def unshare_natively():
        return errno(libc.unshare(0x10000000))  # a new user namespace

    def io_uring_natively():
        return errno(libc.syscall(425, 1, ctypes.create_string_buffer(120)))

    def connect_natively():
        return errno(libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0))

    def mkdir_natively(path):
        return errno(libc.mkdir(path.encode(), 0o755))

    def chmod_natively(path):
        return errno(libc.chmod(path.encode(), 0o777))

    def setxattr_natively(path):
        return errno(libc.setxattr(path.encode(), b"user.parked", b"data", 4, 0))

    def memfd_natively():
        return errno(libc.memfd_create(b"hidden", 0))

    def shared_memory_natively():
        return errno(libc.shmget(0, 2**20, 0o1600))  # IPC_PRIVATE, IPC_CREAT | 0600

    def prctl_natively(option):
        return errno(libc.prctl(option, 0, 0, 0, 0))

    def grow_pipe_natively():
        read, write = os.pipe()
        return errno(libc.fcntl(write, 1031, 2**20))  # F_SETPIPE_SZ

    def page_out_natively():
        page = ctypes.create_string_buffer(2 * mmap.PAGESIZE)
        start = ctypes.addressof(page) // mmap.PAGESIZE * mmap.PAGESIZE
        return errno(libc.madvise(ctypes.c_void_p(start), mmap.PAGESIZE, 21))  # MADV_PAGEOUT

    def listen_natively(path):
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)  # a notebook kernel's sockets live in its directory
        return 0
"""


def active(worker: Worker, prefix: str) -> bool:
    worker.wait_ready()
    return any(d.startswith(prefix) for d in worker.defences)


def test_runs_in_a_private_temporary_directory_removed_on_close(submit: Submit, tmp_path: Path) -> None:
    worker = submit(SNOOP)
    workdir = Path(ask(worker, "where").value)
    assert workdir != tmp_path and [p.name for p in workdir.iterdir()] == ["student.py"]
    worker.close()
    assert not workdir.parent.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["student.py"]


def test_environment_is_scrubbed(submit: Submit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    env = ask(submit(SNOOP), "environment").value
    assert "GRADER_SECRET_TOKEN" not in env
    assert env["PATH"] == "/usr/bin:/bin" and env["HOME"] == env["TMPDIR"]
    assert env["OPENBLAS_NUM_THREADS"] == "1"


def test_reference_solutions_cannot_be_imported(submit: Submit) -> None:
    assert importlib.util.find_spec("reference") is not None, "the grader itself can import it"
    worker = submit(SNOOP)
    reply = ask(worker, "peek")
    assert reply.error is not None and reply.error.type == "ModuleNotFoundError"
    assert (audit.READ_COURSE, "tried to import reference") in worker.findings


#: (function of SNOOP, its argument or None, the rule of the finding it must produce)
FORBIDDEN = {
    "read a solution": ("read", "reference/exercise11.py", audit.READ_COURSE),
    "read a rubric": ("read", "rubrics/exercise11.yaml", audit.READ_COURSE),
    "read another student's file": ("read", "{tmp}/student.py", audit.READ_OUTSIDE),
    "write outside": ("write", "{tmp}/escaped.txt", audit.WRITE_OUTSIDE),
    # Refused (nothing may be parked on disk) but no attempt: a library's cache does the same.
    "write in its own directory": ("write", "parked.npy", None),
    "start a process": ("spawn", None, audit.SPAWN),
    "signal the grader": ("signal_grader", None, audit.SIGNAL),
    "use the network": ("connect", "9", audit.NETWORK),
}


@pytest.mark.parametrize("action", FORBIDDEN)
def test_forbidden_actions_are_refused_and_reported(submit: Submit, tmp_path: Path, action: str) -> None:
    function, argument, rule = FORBIDDEN[action]
    worker = submit(SNOOP)
    args = [] if argument is None else [argument.format(tmp=tmp_path)]
    reply = ask(worker, function, *args)
    assert reply.error is not None and reply.error.type == "PermissionError", reply
    assert reply.error.message.startswith("the grader's sandbox does not allow this")
    reported = [r for r, _ in worker.findings]
    assert rule in reported if rule else audit.WRITE_OUTSIDE not in reported
    assert not (tmp_path / "escaped.txt").exists()


#: Native calls bypass the audit hook: (function, argument, errno expected, the defence that refuses)
NATIVE = {
    "read a solution": ("read_natively", "reference/exercise11.py", errno.EACCES, "Landlock: reads"),
    "read another student's file": ("read_natively", "{tmp}/student.py", errno.EACCES, "Landlock: reads"),
    "write outside": ("write_natively", "{tmp}/escaped.txt", errno.EACCES, landlock.WRITES),
    "write in its own directory": ("write_natively", "parked.npy", errno.EACCES, landlock.WRITES),
    "make a folder in its own directory": ("mkdir_natively", "parked", errno.EACCES, landlock.WRITES),
    "listen on a Unix socket in its own directory": ("listen_natively", "kernel.sock", 0, landlock.WRITES),
    "fork": ("fork_natively", None, errno.EPERM, "seccomp"),
    "signal the grader": ("signal_natively", None, errno.EPERM, "seccomp"),
    "open an internet socket": ("connect_natively", None, errno.EACCES, "seccomp"),
    "make a namespace": ("unshare_natively", None, errno.EPERM, "seccomp"),
    "set up io_uring": ("io_uring_natively", None, errno.EPERM, "seccomp"),
    "hide memory in a memfd": ("memfd_natively", None, errno.EPERM, "seccomp"),
    "hide memory in System V shared memory": ("shared_memory_natively", None, errno.EPERM, "seccomp"),
    "grow a pipe's buffer": ("grow_pipe_natively", None, errno.EPERM, "seccomp"),
    "page its memory out": ("page_out_natively", None, errno.EPERM, "seccomp"),
    "become undumpable (unreadable /proc files)": (
        "prctl_natively",
        seccomp.PR_SET_DUMPABLE,
        errno.EPERM,
        "seccomp",
    ),
    "drop its parent-death signal": ("prctl_natively", seccomp.PR_SET_PDEATHSIG, errno.EPERM, "seccomp"),
    "chmod a grader's file": ("chmod_natively", "{tmp}/student.py", errno.EPERM, "seccomp"),
    "tag a file with an attribute": ("setxattr_natively", "{tmp}/student.py", errno.EPERM, "seccomp"),
}


@pytest.mark.skipif(sys.platform != "linux", reason="Landlock and seccomp are Linux only")
@pytest.mark.parametrize("action", NATIVE)
def test_native_calls_are_refused_by_the_kernel(submit: Submit, tmp_path: Path, action: str) -> None:
    function, argument, expected, defence = NATIVE[action]
    worker = submit(SNOOP)
    if not active(worker, defence):
        pytest.skip(f"{defence} is not available here")
    args = (
        [] if argument is None else [argument.format(tmp=tmp_path) if isinstance(argument, str) else argument]
    )
    assert ask(worker, function, *args).value == expected
    assert not (tmp_path / "escaped.txt").exists()
    assert (tmp_path / "student.py").stat().st_mode & 0o777 != 0o777


@pytest.mark.parametrize(
    "bomb",
    ["np.ones(2**30).sum()", "len(b'x' * 8 * 2**30)"],
    ids=["numpy", "bytes"],
)
def test_memory_bomb_hits_the_limit_and_the_grader_survives(submit: Submit, bomb: str) -> None:
    worker = submit(
        f"import numpy as np\n\ndef bomb():\n    return {bomb}\n\ndef ok():\n    return 1\n",
        memory_bytes=1024**3,
    )
    reply = ask(worker, "bomb")
    assert reply.status in ("error", "crashed") and reply.error is not None
    assert "memory limit exceeded" in reply.error.message
    assert ask(worker, "ok").value == 1


def test_close_leaves_no_threads_behind(submit: Submit) -> None:
    before = threading.active_count()
    worker = submit(SNOOP)
    worker.wait_ready()
    assert threading.active_count() > before
    worker.close()
    assert threading.active_count() == before


def test_network_namespace_has_only_loopback(submit: Submit) -> None:
    worker = submit(SNOOP)
    if not active(worker, "network namespace"):
        pytest.skip("no network namespace here")
    assert [name for _, name in ask(worker, "interfaces").value] == ["lo"]


def test_defences_name_the_limits_in_force(submit: Submit) -> None:
    worker = submit(SNOOP, memory_bytes=1024**3)
    worker.wait_ready()
    defences = worker.defences
    assert {"separate process", "isolated interpreter (-I)", "output cap 64.0 KiB"} <= set(defences)
    if sys.platform == "linux":
        assert "rlimit address space 1.0 GiB" in defences
