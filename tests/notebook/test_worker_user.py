"""Notebook kernels as the workers' user (GRADER_WORKER_USER), started fresh or forked by the fork server."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.sandbox.user import ENVIRONMENT
from tests.notebook.conftest import BOTH_STARTS, RunNotebook
from tests.sandbox.probe_fixtures import ask
from tests.sandbox.worker_user import USER, worker_user_runs_python

pytestmark = pytest.mark.slow

WHO = "import os\n\ndef who():\n    return [os.getuid(), os.getgid(), os.getgroups()]"


@pytest.fixture
def as_worker_user(kernel_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Kernels started from now on run as `USER`; what `who()` says in one of them."""
    user = worker_user_runs_python()
    kernel_dir.chmod(0o711)  # the workers' user passes through it to its own folder
    monkeypatch.setenv(ENVIRONMENT, USER)
    return [user.pw_uid, user.pw_gid, []]


@BOTH_STARTS
def test_a_kernel_runs_as_the_workers_user_without_roots_groups(
    run_notebook: RunNotebook, as_worker_user: list[object]
) -> None:
    worker = run_notebook(WHO)
    assert ask(worker, "who").value == as_worker_user
    assert (
        f"separate user {USER} (uid {as_worker_user[0]}): reads only what every user may" in worker.defences
    )


@BOTH_STARTS
def test_an_overrunning_cell_of_the_workers_user_is_interrupted(
    run_notebook: RunNotebook, as_worker_user: list[object]
) -> None:
    worker = run_notebook("while True:\n    pass", WHO, import_timeout_s=1)
    assert worker.wait_ready().status == "ok"
    assert ask(worker, "who").value == as_worker_user
    assert "interrupted" in worker.output
