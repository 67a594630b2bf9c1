"""Raw Linux system calls through ctypes, for the defences Python has no wrapper for.

Runs inside the worker before any student code, so the submission never sees
this handle until it is already confined.
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def call(function: str, *args: object) -> int:
    """``libc.<function>(*args)`` with ints widened to machine words (the variadic ABI needs it)."""
    return int(getattr(libc(), function)(*_words(*args)))


def syscall(number: int, *args: object) -> int:
    return call("syscall", number, *args)


def _words(*args: object) -> list[object]:
    return [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
