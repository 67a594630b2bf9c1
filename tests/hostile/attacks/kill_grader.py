"""Tries to kill the grader (its parent process), from Python and through libc, then behaves."""

import ctypes
import os
import signal

libc = ctypes.CDLL(None, use_errno=True)
grader = os.getppid()
try:
    os.kill(grader, signal.SIGKILL)
except OSError as exc:
    print("os.kill:", type(exc).__name__)
if libc.kill(grader, signal.SIGKILL) != 0:
    print("libc kill: errno", ctypes.get_errno())
