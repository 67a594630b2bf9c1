"""Notebook test fixtures: notebooks written from cell sources, kernels that must not outlive a test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.notebook.forkserver import ForkServer
from grader.notebook.supervisor import KernelWorker
from grader.sandbox.supervisor import Limits
from grader.submission import read

#: The directory holding the ``tests`` package, so the kernel can import the test probe.
TESTS_ROOT = Path(__file__).resolve().parents[2]

RunNotebook = Callable[..., KernelWorker]
#: For tests of a kernel's life and death: run them with fresh and with forked kernels.
BOTH_STARTS = pytest.mark.parametrize("run_notebook", ["fresh", "forked"], indirect=True)


def write_notebook(path: Path, *cells: str) -> Path:
    """A notebook of code cells; a cell starting with ``# md`` becomes a markdown cell."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(c[4:]) if c.startswith("# md") else nbformat.v4.new_code_cell(c)
            for c in cells
        ]
    )
    nbformat.write(notebook, path)
    return path


def processes_under(root: str) -> list[str]:
    """Live processes started from, or working in, ``root`` (a forked kernel has its server's cmdline)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # not a process of ours, or gone meanwhile
        if (root in cmdline or cwd.startswith(root)) and state != "Z":
            found.append(f"{proc.name} in {cwd}: {cmdline[:200]}")
    return found


@pytest.fixture
def kernel_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where this test's kernels live; after the test no process may still run from there.

    Short on purpose: the kernel's Unix socket paths must stay under 108 bytes.
    """
    root = Path(tempfile.mkdtemp(prefix="nbt-"))
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    yield root
    try:
        assert processes_under(str(root)) == [], "a kernel outlived its test"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def fork_server() -> Iterator[ForkServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", None)  # not in the directory of the test that first asks
        server = ForkServer()
    with server:
        yield server


@pytest.fixture
def run_notebook(request: pytest.FixtureRequest, tmp_path: Path, kernel_dir: Path) -> Iterator[RunNotebook]:
    """``run_notebook(*cells, **limits)``: the started worker of a notebook of those cells.

    Kernels are forked from a fork server, or started from scratch for a test marked
    ``@BOTH_STARTS`` (which then runs once each way).
    """
    fresh = getattr(request, "param", "forked") == "fresh"
    forks = None if fresh else request.getfixturevalue("fork_server")
    workers: list[KernelWorker] = []

    def run(*cells: str, name: str = "student.ipynb", **limits: Any) -> KernelWorker:
        path = write_notebook(tmp_path / name, *cells)
        worker = kernel_worker(path, Limits(**limits), forks)
        workers.append(worker)
        worker.start()
        return worker

    yield run
    for worker in workers:
        worker.close()


def kernel_worker(path: Path, limits: Limits, forks: ForkServer | None = None) -> KernelWorker:
    """The worker of the notebook at `path`, read as grading reads it; tests' helpers importable."""
    notebook = read(path).notebook
    assert notebook is not None, path
    return KernelWorker(path, notebook, limits, [str(TESTS_ROOT)], forks=forks)
