"""The notebook worker: the sandbox's :class:`Worker`, with a Jupyter kernel as its process.

Checks cannot tell it from the ``.py`` worker: ``start()``, ``wait_ready()`` (ready
once every cell has run, with the names the notebook defined), ``call()``,
``output``, ``defences``, ``close()``. A call that times out kills the kernel; the
next call starts a fresh one and executes the notebook again.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader.notebook.forkserver import ForkServer, ForkServerError
from grader.notebook.process import KernelProcess
from grader.sandbox.supervisor import Limits, Worker

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: The whole notebook, kernel start included, gets this many per-cell limits.
NOTEBOOK_TIMEOUTS = 6


class KernelWorker(Worker):
    """A notebook executed in a confined Jupyter kernel, answering probe calls.

    Each cell may take ``limits.import_timeout_s`` (what a module's import gets) and
    is interrupted after that; the whole notebook, kernel start included,
    ``NOTEBOOK_TIMEOUTS`` times as long. With ``forks``, kernels are forked from that
    server rather than started from scratch. ``notebook`` is the submission's document,
    parsed and validated once (`grader.submission.read`).
    """

    PHASE = "running the notebook"

    def __init__(
        self,
        submission: Path,
        notebook: NotebookNode,
        limits: Limits,
        extra_sys_path: Sequence[str] = (),
        forks: ForkServer | None = None,
    ) -> None:
        whole = replace(limits, import_timeout_s=NOTEBOOK_TIMEOUTS * limits.import_timeout_s)
        super().__init__(submission, whole, extra_sys_path)
        self._forks = forks
        self._notebook = notebook
        self._cell_timeout_s = limits.import_timeout_s

    @property
    def defences(self) -> list[str]:
        return [
            *super().defences,
            "Jupyter kernel on Unix sockets only",
            f"time limit {self._cell_timeout_s:g} s per notebook cell (then the cell is interrupted)",
        ]

    def _spawn(self) -> KernelProcess:
        if self._forks is not None:
            try:
                return self._kernel(self._forks)
            except ForkServerError:
                self._forks = None  # gone: start this and later kernels the ordinary way
        return self._kernel(None)

    def _kernel(self, forks: ForkServer | None) -> KernelProcess:
        return KernelProcess(
            self._submission,
            copy.deepcopy(self._notebook),  # nbclient writes into the cells it runs
            memory_bytes=self._limits.memory_bytes,
            file_bytes=self._limits.file_bytes,
            cpu_seconds=self._limits.cpu_seconds,
            extra_sys_path=self._extra_sys_path,
            output=self._output,
            cell_timeout_s=self._cell_timeout_s,
            forks=forks,
            content=self._content,
            user=self._user,
        )
