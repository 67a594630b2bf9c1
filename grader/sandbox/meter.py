"""Measuring a worker's call from outside: what the kernel, not the student's process, says it used.

Nothing the submission reports about itself decides points (SPEC §6), so the grader reads
the worker's accounting from Linux's /proc around one call:

- memory: the larger of (a) how far the resident set grew during the call (the peak, VmHWM,
  reset by writing 5 to clear_refs, minus the resident set at the start) and (b) how much
  writable memory the call touched (the "Referenced" pages of smaps, after clearing the
  referenced bits by writing 1 to clear_refs). (b) catches a submission that computes in
  memory it allocated before the call (at import, say), which (a) would not see grow.
- cpu: the process CPU clock (every thread, the finished ones too), read with
  clock_gettime on the process's CPU-time clock id.

Where /proc or the process clocks are missing (macOS, Windows) nothing is measured and the
checks that need it are skipped with that reason; a worker whose /proc files cannot be read
although the platform has them (it hid them) measures as a failure, not a pass.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: CPUCLOCK_SCHED of Linux's process CPU-time clock ids (include/linux/posix-timers.h).
_SCHED_CLOCK = 2
KIB = 1024


class Unmeasurable(Exception):
    """The worker's accounting could not be read (it is gone, or it hid its /proc files)."""


@dataclass(frozen=True)
class Measurement:
    """What one call used: bytes of memory (grown or touched, whichever is larger) and CPU seconds."""

    memory_bytes: int
    cpu_s: float


@functools.cache
def available() -> bool:
    """Whether this platform lets the grader measure a worker from outside (tried once, on the grader)."""
    if sys.platform != "linux" or not hasattr(time, "clock_gettime_ns"):
        return False
    try:
        _touched(os.getpid())
        _status(os.getpid())
        time.clock_gettime_ns(_cpu_clock(os.getpid()))
    except (OSError, ValueError, KeyError):
        return False
    return True


class Meter:
    """Brackets calls of the worker process ``pid``: ``start()`` just before, ``stop()`` just after."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._resident = 0
        self._cpu_ns = 0

    def start(self) -> None:
        try:
            Path(f"/proc/{self._pid}/clear_refs").write_text("1")
            Path(f"/proc/{self._pid}/clear_refs").write_text("5")
            self._resident = _status(self._pid)["VmRSS"]
            self._cpu_ns = time.clock_gettime_ns(_cpu_clock(self._pid))
        except (OSError, ValueError, KeyError) as exc:
            raise Unmeasurable(f"the worker's memory and CPU could not be read ({exc})") from None

    def stop(self) -> Measurement:
        try:
            cpu_ns = time.clock_gettime_ns(_cpu_clock(self._pid))
            grown = _status(self._pid)["VmHWM"] - self._resident
            touched = _touched(self._pid)
        except (OSError, ValueError, KeyError) as exc:
            raise Unmeasurable(f"the worker's memory and CPU could not be read ({exc})") from None
        return Measurement(max(grown, touched, 0), (cpu_ns - self._cpu_ns) / 1e9)


def _cpu_clock(pid: int) -> int:
    return ((~pid) << 3) | _SCHED_CLOCK


def _status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status, in bytes."""
    return _kilobytes(Path(f"/proc/{pid}/status").read_text())


def _touched(pid: int) -> int:
    """Bytes of writable memory referenced since the bits were cleared: the data the call touched.

    Read-only file mappings (the interpreter's and libraries' code) are left out: every call
    touches some of them, and they hold no data of the submission.
    """
    total, counted = 0, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
            counted = "w" in head[1] or len(head) < 6
        elif counted and line.startswith("Referenced:"):
            total += int(line.split()[1]) * KIB
    return total


def _kilobytes(text: str) -> dict[str, int]:
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name.strip()] = int(parts[0]) * KIB
    return fields
