"""The program at the start of a kernel process: enter the sandbox, then become an IPython kernel.

Launched like the ``.py`` worker (same bootstrap, environment, process group and
private pipes; see :class:`grader.notebook.process.KernelProcess`), so every cell
runs under the same defences as a submitted module. The pipes stay idle until the
grader cell (:mod:`grader.notebook.serve`) uses them.
"""

from __future__ import annotations

import json
import os
import warnings

from grader.notebook.connection import CONNECTION_FILE, connection_info
from grader.sandbox.worker import enter_sandbox

#: Kernel options: no history database to write, and no log lines in the student's output.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False", "--IPKernelApp.log_level=CRITICAL")
#: The private pipes' fd numbers, for the grader cell (this process is one kernel, for one notebook).
channel: dict[str, int] = {}


def main(config_json: str) -> None:
    """Confine this process, write the connection file, then run the kernel until killed."""
    config = json.loads(config_json)
    workdir = enter_sandbox(config).parent
    channel.update(request_fd=config["request_fd"], reply_fd=config["reply_fd"])
    connection_file = workdir / CONNECTION_FILE
    connection_file.write_text(json.dumps(connection_info(workdir, config["key"])), encoding="utf-8")
    from ipykernel.kernelapp import IPKernelApp  # after confinement: it starts threads

    # Output of forked subprocesses would come back over TCP, which the sandbox forbids.
    warnings.filterwarnings("ignore", message="Couldn't bind IOPub Pipe", category=UserWarning)
    # Like any Jupyter kernel, exit when the process that started it (the grader) is gone.
    parent = f"--IPKernelApp.parent_handle={os.getppid()}"
    IPKernelApp.launch_instance(argv=["-f", str(connection_file), parent, *KERNEL_OPTIONS])
