"""Fixtures for the sandbox tests: student files written into tmp_path, run in workers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox.supervisor import Limits, Worker

#: The directory holding the ``tests`` package, so the worker can import the test probe.
TESTS_ROOT = Path(__file__).resolve().parents[2]

Submit = Callable[..., Worker]


@pytest.fixture
def submit(tmp_path: Path) -> Iterator[Submit]:
    """``submit(source, **limits)`` writes ``student.py`` and returns its started Worker."""
    workers: list[Worker] = []

    def submit(source: str, name: str = "student.py", **limits: Any) -> Worker:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        worker = Worker(path, Limits(**limits), extra_sys_path=[str(TESTS_ROOT)])
        workers.append(worker)
        worker.start()
        return worker

    yield submit
    for worker in workers:
        worker.close()
