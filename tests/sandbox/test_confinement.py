"""What the submission cannot do: escape its directory, the network, the memory limit, the grader."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox.supervisor import Worker
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

SNOOP = """
    import os
    import subprocess

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

    def spawn():
        return subprocess.Popen(["sleep", "1000"]).pid

    def signal_grader():
        os.kill(os.getppid(), 0)

    def connect(port):
        import socket
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
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
    reply = ask(submit(SNOOP), "peek")
    assert reply.error is not None and reply.error.type == "ModuleNotFoundError"


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


def test_children_of_the_submission_die_on_close(submit: Submit) -> None:
    worker = submit(SNOOP)
    pid = ask(worker, "spawn").value
    assert _running(pid)
    worker.close()
    deadline = time.monotonic() + 2.0
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _running(pid)


def test_close_leaves_no_threads_behind(submit: Submit) -> None:
    before = threading.active_count()
    worker = submit(SNOOP)
    worker.wait_ready()
    assert threading.active_count() > before
    worker.close()
    assert threading.active_count() == before


@pytest.mark.skipif(sys.platform != "linux", reason="Landlock is Linux only")
def test_writes_outside_the_directory_are_refused(submit: Submit, tmp_path: Path) -> None:
    worker = submit(SNOOP)
    if not active(worker, "Landlock: writes"):
        pytest.skip("Landlock is not available on this kernel")
    reply = ask(worker, "write", str(tmp_path / "escaped.txt"))
    assert reply.error is not None and reply.error.type == "PermissionError"
    assert not (tmp_path / "escaped.txt").exists()


def test_network_is_unreachable(submit: Submit) -> None:
    worker = submit(SNOOP)
    if not (active(worker, "network namespace") or active(worker, "Landlock: no TCP")):
        pytest.skip("no network isolation available here")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        reply = ask(worker, "connect", server.getsockname()[1])
    assert reply.status == "error" and reply.error is not None
    assert reply.error.type in ("OSError", "PermissionError", "ConnectionRefusedError")


def test_submission_cannot_signal_the_grader(submit: Submit) -> None:
    worker = submit(SNOOP)
    if not active(worker, "Landlock: no signals"):
        pytest.skip("Landlock signal scoping needs Linux 6.12+")
    reply = ask(worker, "signal_grader")
    assert reply.error is not None and reply.error.type == "PermissionError"


def test_defences_name_the_limits_in_force(submit: Submit) -> None:
    worker = submit(SNOOP, memory_bytes=1024**3)
    worker.wait_ready()
    defences = worker.defences
    assert {"separate process", "isolated interpreter (-I)", "output cap 64.0 KiB"} <= set(defences)
    if sys.platform == "linux":
        assert "rlimit address space 1.0 GiB" in defences


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan may wait a moment for init to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
