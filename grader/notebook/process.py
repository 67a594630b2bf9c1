"""One incarnation of a notebook's kernel: a worker process that became an IPython kernel.

It is launched exactly like the ``.py`` worker (:class:`WorkerProcess`: temporary
directory, scrubbed environment, own process group, private pipes, captured
output), and a :class:`NotebookDriver` executes the notebook in it meanwhile.
Killing it kills the whole process group, so no kernel outlives its grading.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from nbformat import NotebookNode

from grader.notebook.connection import connection_info
from grader.notebook.document import cell_name
from grader.notebook.driver import NotebookDriver
from grader.notebook.forkserver import ForkedProcess, ForkServer
from grader.sandbox.output import CappedOutput
from grader.sandbox.process import WorkerProcess, signal_group
from grader.sandbox.stack import Source
from grader.sandbox.user import WorkerUser

KERNEL_ENTRY = "grader.notebook.kernel_boot"
#: Open files a kernel may hold: it needs about 60 (ZeroMQ sockets and their signals).
KERNEL_OPEN_FILES = 128


class KernelProcess(WorkerProcess):
    """A kernel running ``notebook`` (a copy of ``submission``), then serving probes."""

    def __init__(
        self,
        submission: Path,
        notebook: NotebookNode,
        *,
        memory_bytes: int,
        file_bytes: int,
        extra_sys_path: Sequence[str],
        output: CappedOutput,
        cell_timeout_s: float,
        cpu_seconds: int | None = None,
        forks: ForkServer | None = None,
        content: bytes | None = None,
        user: WorkerUser | None = None,
    ) -> None:
        """Started by ``forks`` if given (fast), else as a fresh interpreter; as ``user`` if given."""
        key = secrets.token_hex(32)
        super().__init__(
            submission,
            memory_bytes=memory_bytes,
            file_bytes=file_bytes,
            extra_sys_path=extra_sys_path,
            output=output,
            cpu_seconds=cpu_seconds,
            open_files=KERNEL_OPEN_FILES,
            entry=KERNEL_ENTRY,
            extra_config={"key": key},
            start=forks.start if forks else None,
            content=content,
            user=user,
        )
        try:
            self._driver = NotebookDriver(
                notebook,
                submission,
                connection_info(self.workdir, key),
                cell_timeout_s=cell_timeout_s,
                output=output,
                alive=lambda: not self.has_exited(),
                send_signal=self._send_signal,
                locate=self.locate,
            )
        except BaseException:
            super().kill()
            raise

    def sources(self) -> dict[str, Source]:
        """The notebook's cells, by the file the kernel compiles each under (see `cell_file`)."""
        folder = os.path.join(self.workdir, f"ipykernel_{self.pid}")
        return {
            cell_file(folder, code): Source(
                f"{self._name}, {cell_name(number)}", f"{cell_name(number)}, ", code
            )
            for number, code in self._driver.cells.items()
        }

    def has_exited(self) -> bool:
        if isinstance(self._popen, ForkedProcess):  # not our child: waitid cannot see it
            return self._popen.exited()
        return super().has_exited()

    def death(self) -> str:
        running = self._driver.running_cell
        how = super().death()
        if self._driver.failure:
            return self._driver.failure
        return f"{how} ({cell_name(running)} was running)" if running else how

    def stop(self, grace_s: float) -> None:
        """Tell the grader cell to stop, wait for the kernel's last prints, then kill()."""
        deadline = time.monotonic() + grace_s
        self._driver.expect_end()
        self._request_shutdown(deadline)
        self._driver.finished.wait(max(deadline - time.monotonic(), 0.0))
        self.kill()

    def kill(self) -> None:
        self._driver.stop()  # first: the driver signals the group, which must not be reaped yet
        super().kill()

    def _send_signal(self, signum: int) -> None:
        signal_group(self._popen.pid, signum)


def cell_file(folder: str, code: str) -> str:
    """The file ipykernel compiles a cell of ``code`` under: named after a hash of the code, in ``folder``
    (``ipykernel_<pid>`` in the kernel's temporary directory). Not ipykernel's promise, but its way
    since version 6; where it differs, no frame of a cell is recognised and timeouts say no line."""
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86

    return os.path.join(folder, f"{murmur2_x86(code, get_tmp_hash_seed())}.py")
