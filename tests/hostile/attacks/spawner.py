"""Starts processes every way Python offers, then a bounded fork storm through libc.

Every child that does start sleeps with a marker the test looks for afterwards;
one of them even leaves the process group (setsid), as a daemon would.
"""

import ctypes
import os
import subprocess

MARKER = "31.4159"
libc = ctypes.CDLL(None, use_errno=True)


def _child_sleeps(fork):
    pid = fork()
    if pid == 0:
        os.setsid()
        os.execvp("sleep", ["sleep", MARKER])
    return pid


started = 0
for attempt in (
    lambda: subprocess.Popen(["sleep", MARKER]),
    lambda: os.system(f"sleep {MARKER} &"),
    lambda: os.posix_spawnp("sleep", ["sleep", MARKER], os.environ),
    lambda: _child_sleeps(os.fork),
):
    try:
        attempt()
        started += 1
    except OSError as exc:
        print("refused:", type(exc).__name__)
started += sum(_child_sleeps(libc.fork) > 0 for _ in range(20))
print("processes started:", started)
