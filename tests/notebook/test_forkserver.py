"""Kernels forked from a fork server: fast, and still nothing shared between notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.notebook.forkserver import ForkServer, for_notebooks
from grader.sandbox.supervisor import Limits
from tests.notebook.conftest import kernel_worker, write_notebook
from tests.sandbox.probe_fixtures import ask

pytestmark = pytest.mark.slow

LEAKY = """
import os
import numpy as np
np.leaked = True
os.environ["LEAKED"] = "1"
open("left-behind.txt", "w").close()
"""
CHECK = """
import os
import numpy as np

def traces():
    return [hasattr(np, "leaked"), "LEAKED" in os.environ, sorted(os.listdir("."))]
"""


def test_notebooks_forked_in_a_row_share_nothing(tmp_path: Path, kernel_dir: Path) -> None:
    with ForkServer() as forks:
        for name, cells in (("leaky.ipynb", [LEAKY]), ("clean.ipynb", [CHECK])):
            worker = kernel_worker(write_notebook(tmp_path / name, *cells), Limits(), forks)
            with worker:
                assert worker.wait_ready().status == "ok"
                if name == "clean.ipynb":
                    leaked_numpy, leaked_environ, files = ask(worker, "traces").value
                    assert not leaked_numpy and not leaked_environ
                    assert [f for f in files if not f.startswith(".")] == ["clean.ipynb"]  # no kernel files


def test_without_its_server_a_kernel_starts_the_ordinary_way(tmp_path: Path, kernel_dir: Path) -> None:
    forks = ForkServer()
    forks.close()
    with kernel_worker(write_notebook(tmp_path / "n.ipynb", "x = 1"), Limits(), forks) as worker:
        assert worker.wait_ready().value == ["x"]


def test_closing_the_server_ends_the_kernels_it_still_has(tmp_path: Path, kernel_dir: Path) -> None:
    forks = ForkServer()
    worker = kernel_worker(write_notebook(tmp_path / "n.ipynb", "x = 1"), Limits(), forks)
    worker.start()
    assert worker.wait_ready().status == "ok"
    forks.close()  # before the worker: the kernel must not survive it
    assert ask(worker, "x").status == "crashed"
    worker.close()


def test_a_fork_server_only_for_several_notebooks() -> None:
    with for_notebooks([Path("exercise11.ipynb"), Path("exercise12.py")]) as forks:
        assert forks is None
    with for_notebooks([Path("exercise11.ipynb"), Path("exercise12.ipynb")]) as forks:
        assert isinstance(forks, ForkServer)
