"""Where a grading kernel listens: Unix sockets in its own directory, never TCP.

Both sides build the connection from the same function: the kernel process (which
writes the connection file it is started with) and the grader (which connects).
Unix sockets keep working inside the kernel's network namespace and Landlock rules.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_client.connect import KernelConnectionInfo

#: The sockets are ``<prefix>-1`` to ``<prefix>-5`` in the kernel's directory, one per channel.
SOCKET_PREFIX = ".kernel"
CONNECTION_FILE = ".kernel.json"


def connection_info(workdir: Path, key: str) -> KernelConnectionInfo:
    """The Jupyter connection info of the kernel running in ``workdir``, signed with ``key``."""
    return {
        "transport": "ipc",
        "ip": str(workdir / SOCKET_PREFIX),
        "shell_port": 1,
        "iopub_port": 2,
        "stdin_port": 3,
        "control_port": 4,
        "hb_port": 5,
        "key": key,
        "signature_scheme": "hmac-sha256",
        "kernel_name": "",
    }
