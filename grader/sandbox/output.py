"""Captured stdout+stderr of the worker: drained continuously, kept only up to a cap.

The student must never block on a full pipe (that would look like a hang), so
a thread reads everything and drops what exceeds the cap.
"""

from __future__ import annotations

import os
import selectors
import threading
import time

CHUNK_BYTES = 1 << 16
#: After stop(), how long to keep draining output that is still arriving.
STOP_DRAIN_S = 0.5
#: Longest wait for the pipe to be emptied into the sink (a writer that never stops has no "now").
SETTLE_S = 0.2
POLL_S = 0.05


class CappedOutput:
    """Bytes printed by every worker incarnation of one submission, up to ``limit``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._data = bytearray()
        self._truncated = False
        self._lock = threading.Lock()

    def append(self, chunk: bytes) -> None:
        with self._lock:
            room = self._limit - len(self._data)
            self._data += chunk[: max(room, 0)]
            self._truncated = self._truncated or len(chunk) > room

    @property
    def text(self) -> str:
        with self._lock:
            return self._data.decode("utf-8", errors="replace")

    @property
    def truncated(self) -> bool:
        return self._truncated


class OutputDrain:
    """A thread copying one pipe into a :class:`CappedOutput` until EOF or stop()."""

    def __init__(self, fd: int, sink: CappedOutput) -> None:
        self._fd, self._sink = fd, sink
        self._stop_at: float | None = None
        self._copying = threading.Lock()  # held from a read until its bytes are in the sink
        self._thread = threading.Thread(target=self._run, name="worker-output", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Collect what is still in flight, then end the thread and close the pipe.

        A process that escaped the group may keep the pipe open and keep writing,
        so draining after stop() is bounded in time rather than waiting for EOF.
        """
        self._stop_at = time.monotonic() + STOP_DRAIN_S
        self._thread.join()
        os.close(self._fd)

    def settle(self, timeout: float = SETTLE_S) -> None:
        """Return once what is already in the pipe has reached the sink (the writer may go on writing).

        For a writer that is idle, this makes the sink complete up to now.
        """
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                with self._copying:
                    if not selector.select(0):
                        return
                time.sleep(0.001)

    def _run(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            while True:
                ready = selector.select(POLL_S)
                stop_at = self._stop_at
                if stop_at is not None and (not ready or time.monotonic() > stop_at):
                    return
                if ready:
                    with self._copying:
                        chunk = os.read(self._fd, CHUNK_BYTES)
                        if not chunk:
                            return
                        self._sink.append(chunk)
