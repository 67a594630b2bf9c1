"""What the submission cannot do, refused in Python (the audit hook) and by the kernel (Landlock, seccomp)."""

from __future__ import annotations

import errno
import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from grader.sandbox import audit
from grader.sandbox.supervisor import Worker
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

SNOOP = """
    import ctypes
    import os
    import socket
    import subprocess
    from pathlib import Path

    import grader

    libc = ctypes.CDLL(None, use_errno=True)  # native calls raise no audit events
    COURSE = Path(grader.__file__).resolve().parents[1]

    def where():
        with open("scratch.txt", "w") as f:
            f.write("temporary")
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
"""


def active(worker: Worker, prefix: str) -> bool:
    worker.wait_ready()
    return any(d.startswith(prefix) for d in worker.defences)


def test_runs_in_a_private_temporary_directory_removed_on_close(submit: Submit, tmp_path: Path) -> None:
    worker = submit(SNOOP)
    workdir = Path(ask(worker, "where").value)
    assert workdir != tmp_path and (workdir / "scratch.txt").exists()
    worker.close()
    assert not workdir.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["student.py"]


def test_directory_is_removed_even_if_the_student_locks_it(submit: Submit) -> None:
    worker = submit(
        "import os\n\ndef lock():\n    os.makedirs('a/b')\n    os.chmod('a', 0)\n    return os.getcwd()\n"
    )
    workdir = Path(ask(worker, "lock").value)
    worker.close()
    assert not workdir.exists()


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
    assert rule in [r for r, _ in worker.findings]
    assert not (tmp_path / "escaped.txt").exists()


#: Native calls bypass the audit hook: (function, argument, errno expected, the defence that refuses)
NATIVE = {
    "read a solution": ("read_natively", "reference/exercise11.py", errno.EACCES, "Landlock: reads"),
    "read another student's file": ("read_natively", "{tmp}/student.py", errno.EACCES, "Landlock: reads"),
    "write outside": ("write_natively", "{tmp}/escaped.txt", errno.EACCES, "Landlock: writes"),
    "fork": ("fork_natively", None, errno.EPERM, "seccomp"),
    "signal the grader": ("signal_natively", None, errno.EPERM, "seccomp"),
    "open an internet socket": ("connect_natively", None, errno.EACCES, "seccomp"),
    "make a namespace": ("unshare_natively", None, errno.EPERM, "seccomp"),
    "set up io_uring": ("io_uring_natively", None, errno.EPERM, "seccomp"),
}


@pytest.mark.skipif(sys.platform != "linux", reason="Landlock and seccomp are Linux only")
@pytest.mark.parametrize("action", NATIVE)
def test_native_calls_are_refused_by_the_kernel(submit: Submit, tmp_path: Path, action: str) -> None:
    function, argument, expected, defence = NATIVE[action]
    worker = submit(SNOOP)
    if not active(worker, defence):
        pytest.skip(f"{defence} is not available here")
    args = [] if argument is None else [argument.format(tmp=tmp_path)]
    assert ask(worker, function, *args).value == expected
    assert not (tmp_path / "escaped.txt").exists()


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
