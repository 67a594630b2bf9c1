"""The program at the start of a kernel process: enter the sandbox, then become an IPython kernel.

Launched like the ``.py`` worker (same bootstrap, environment, process group and
private pipes; see :class:`grader.notebook.process.KernelProcess`), so every cell
runs under the same defences as a submitted module. The pipes stay idle until the
grader cell (:mod:`grader.notebook.serve`) uses them.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

from grader.notebook.connection import CONNECTION_FILE, connection_info
from grader.sandbox.serve import enter_sandbox

#: Kernel options: no history database to write, and no log lines in the student's output.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False", "--IPKernelApp.log_level=CRITICAL")
#: What a shell command run in a cell raises (the grader leaves out those it sees: `grader.notebook.script`).
NO_SHELL = "shell commands do not run during grading"
#: The private pipes' fd numbers, for the grader cell (this process is one kernel, for one notebook).
channel: dict[str, int] = {}


def main(config_json: str) -> None:
    """Write the connection file, confine this process, then run the kernel until killed."""
    config = json.loads(config_json)
    workdir = Path(config["submission"]).parent
    connection_file = workdir / CONNECTION_FILE  # now: the directory is read-only once confined
    connection_file.write_text(json.dumps(connection_info(workdir, config["key"])), encoding="utf-8")
    _make_profile()
    # IPython names each cell after a file in the temporary directory (never written): without
    # this, gettempdir() would look for a writable directory and find none.
    tempfile.tempdir = str(workdir)
    enter_sandbox(config)
    channel.update(request_fd=config["request_fd"], reply_fd=config["reply_fd"])
    from ipykernel.kernelapp import IPKernelApp  # after confinement: it starts threads

    _refuse_shell_commands()
    # Output of forked subprocesses would come back over TCP, which the sandbox forbids.
    warnings.filterwarnings("ignore", message="Couldn't bind IOPub Pipe", category=UserWarning)
    # Like any Jupyter kernel, exit when the process that started it (the grader) is gone.
    parent = f"--IPKernelApp.parent_handle={os.getppid()}"
    IPKernelApp.launch_instance(argv=["-f", str(connection_file), parent, *KERNEL_OPTIONS])


def _refuse_shell_commands() -> None:
    """Shell commands the grader could not leave out (``get_ipython().system(...)``, an alias such as
    ``ls``) fail at once, saying why, instead of trying every terminal device of the machine."""
    from ipykernel.zmqshell import ZMQInteractiveShell

    def refuse(shell: object, command: object, *args: object, **kwargs: object) -> None:
        raise OSError(NO_SHELL)

    for method in ("system", "system_piped", "getoutput"):  # `!cmd`, what it calls, `!!cmd` and %sx
        setattr(ZMQInteractiveShell, method, refuse)


def _make_profile() -> None:
    """Let IPython make its profile folder in HOME (the kernel's directory) while it may still write."""
    from IPython.core.profiledir import ProfileDir
    from IPython.paths import get_ipython_dir

    ProfileDir.create_profile_dir_by_name(get_ipython_dir())
