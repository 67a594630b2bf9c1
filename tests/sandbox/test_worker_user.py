"""Workers as a separate user (GRADER_WORKER_USER): what only root may read is out of reach, limits hold."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import UsageError
from grader.sandbox.output import CappedOutput
from grader.sandbox.process import WorkerProcess
from grader.sandbox.supervisor import Limits, Worker
from grader.sandbox.user import ENVIRONMENT, worker_user
from tests.sandbox.conftest import TESTS_ROOT, Submit
from tests.sandbox.probe_fixtures import CALL, ask
from tests.sandbox.worker_user import USER, switchable_user, worker_user_runs_python

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="users and /proc as Linux has them")

READER = """
import os

def uid():
    return os.getuid()

def pid():
    return os.getpid()

def read(path):
    return open(path).read()

def spin():
    while True:
        pass

def hog():
    return len(bytearray(4 * 1024**3))

def fill():
    return len(b"x" * 64 * 1024**2)

def shout():
    for _ in range(50_000):
        print("x" * 999)
    return 1
"""


@pytest.fixture
def as_worker_user(monkeypatch: pytest.MonkeyPatch) -> int:
    """Workers started from now on run as `USER`; its uid."""
    uid = worker_user_runs_python().pw_uid
    monkeypatch.setenv(ENVIRONMENT, USER)
    return uid


@pytest.fixture
def shelf() -> Iterator[Path]:
    """A folder every user may enter, with `open.txt` (anyone may read) and `secret.txt` (root only).

    On a worker's import path, so Landlock lets the worker read in it: only the file's own
    permissions decide.
    """
    folder = Path(tempfile.mkdtemp(prefix="grader-shelf-"))
    folder.chmod(0o755)
    (folder / "open.txt").write_text("for everyone")
    (folder / "secret.txt").write_text("the solution")
    (folder / "secret.txt").chmod(0o600)
    yield folder
    for name in ("open.txt", "secret.txt"):
        (folder / name).unlink()
    folder.rmdir()


def test_without_the_variable_workers_run_as_the_grader() -> None:
    assert worker_user({}) is None


def test_the_variable_is_ignored_where_the_grader_is_not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert worker_user({ENVIRONMENT: USER}) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [("no-such-grader-user", "no such user"), ("root", "the workers' user must not be root")],
)
def test_a_name_that_is_no_user_or_root_stops_grading(
    monkeypatch: pytest.MonkeyPatch, name: str, problem: str
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(UsageError) as raised:
        worker_user({ENVIRONMENT: name})
    assert str(raised.value) == f"{ENVIRONMENT}={name}: {problem}"


@linux_only
def test_a_user_who_cannot_run_the_interpreter_is_told_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switchable_user()
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "python").symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(private / "python"))
    monkeypatch.setenv(ENVIRONMENT, USER)
    submission = tmp_path / "student.py"
    submission.write_text("x = 1\n")
    with pytest.raises(UsageError, match=f"^{ENVIRONMENT}={USER}: that user cannot start the worker"):
        Worker(submission, Limits()).start()


@linux_only
def test_a_worker_runs_as_the_user_and_reads_only_what_every_user_may(
    tmp_path: Path, shelf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = worker_user_runs_python().pw_uid
    submission = tmp_path / "student.py"
    submission.write_text(READER)
    paths = [str(TESTS_ROOT), str(shelf)]
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    with Worker(submission, Limits(), paths) as as_root:  # the control: Landlock lets both be read
        assert ask(as_root, "read", str(shelf / "secret.txt")).value == "the solution"
    monkeypatch.setenv(ENVIRONMENT, USER)
    with Worker(submission, Limits(), paths) as worker:
        assert ask(worker, "uid").value == uid
        assert ask(worker, "read", str(shelf / "open.txt")).value == "for everyone"
        refused = ask(worker, "read", str(shelf / "secret.txt"))
        assert refused.status == "error" and refused.error is not None
        assert refused.error.type == "PermissionError"
    assert f"separate user {USER} (uid {uid}): reads only what every user may" in worker.defences


@linux_only
def test_the_users_folder_is_its_own_and_its_workspace_only_passable(
    tmp_path: Path, as_worker_user: int
) -> None:
    submission = tmp_path / "student.py"
    submission.write_text("x = 1\n")
    user = worker_user()
    process = WorkerProcess(
        submission, memory_bytes=2**31, file_bytes=0, extra_sys_path=(), output=CappedOutput(1024), user=user
    )
    try:
        folder, workspace = os.stat(process.workdir), os.stat(process.workdir.parent)
        copy = os.stat(process.workdir / "student.py")
        assert (folder.st_uid, copy.st_uid) == (as_worker_user, as_worker_user)
        assert stat.S_IMODE(folder.st_mode) == 0o700
        assert workspace.st_uid == 0 and stat.S_IMODE(workspace.st_mode) == 0o711
    finally:
        process.kill()
    assert not process.workdir.parent.exists()


@linux_only
@pytest.mark.slow
def test_limits_hold_for_the_workers_user(submit: Submit, as_worker_user: int) -> None:
    worker = submit(READER, call_timeout_s=1.0, cpu_seconds=10, memory_bytes=1024**3)
    assert ask(worker, "uid").value == as_worker_user
    measured = worker.call(CALL, {"name": "fill", "args": []}, measure=True).measured
    assert measured is not None and measured.memory_bytes > 32 * 1024**2  # read from outside, as root
    pids = [ask(worker, "pid").value]
    assert ask(worker, "spin").status == "timeout"
    pids.append(ask(worker, "pid").value)  # a fresh worker, as the user again
    hog = ask(worker, "hog")
    assert hog.status == "error" and hog.error is not None and "memory limit exceeded" in hog.error.message
    assert (ask(worker, "shout").value, worker.output_truncated) == (1, True)
    assert ask(worker, "uid").value == as_worker_user
    worker.close()
    assert pids[0] != pids[1] and not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
