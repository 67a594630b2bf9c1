"""The grader's end of the private pipes: line-based I/O that never blocks past a deadline.

The worker is untrusted, so every wait is bounded by a deadline, a line has a
size cap (a flood cannot exhaust the grader's memory), and a worker that died
while a grandchild still holds the pipe open is noticed by polling its exit.
"""

from __future__ import annotations

import os
import selectors
import time
from collections.abc import Callable

#: How often a blocked read or write checks whether the worker has exited.
POLL_S = 0.1
CHUNK_BYTES = 1 << 20


class ChannelClosed(Exception):
    """The worker is gone: EOF, broken pipe, or its process exited."""


class ChannelTimeout(Exception):
    """The deadline passed before a whole line could be read or written."""


class ChannelOverflow(Exception):
    """The worker sent more than the size cap without ending the line."""


class Channel:
    """Deadline-bounded line I/O over a request pipe (to the worker) and a reply pipe."""

    def __init__(self, request_fd: int, reply_fd: int, max_line: int, exited: Callable[[], bool]) -> None:
        os.set_blocking(request_fd, False)
        self._request_fd, self._reply_fd = request_fd, reply_fd
        self._max_line, self._exited = max_line, exited
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no newline
        self._writable = selectors.DefaultSelector()
        self._writable.register(request_fd, selectors.EVENT_WRITE)
        self._readable = selectors.DefaultSelector()
        self._readable.register(reply_fd, selectors.EVENT_READ)

    def send(self, data: bytes, deadline: float) -> None:
        """Write all of ``data`` by ``deadline`` (monotonic clock)."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._request_fd, view) :]
            except BlockingIOError:
                self._wait(deadline, write=True)
            except BrokenPipeError:
                raise ChannelClosed from None

    def receive(self, deadline: float) -> bytes:
        """Return the next whole line (with its newline) that arrives by ``deadline``."""
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                line = bytes(self._buffer[: newline + 1])
                del self._buffer[: newline + 1]
                self._scanned = 0
                return line
            self._scanned = len(self._buffer)
            if len(self._buffer) > self._max_line:
                raise ChannelOverflow
            self._wait(deadline, write=False)
            chunk = os.read(self._reply_fd, CHUNK_BYTES)
            if not chunk:
                raise ChannelClosed
            self._buffer += chunk

    def close(self) -> None:
        for selector in (self._writable, self._readable):
            selector.close()
        for fd in (self._request_fd, self._reply_fd):
            os.close(fd)

    def _wait(self, deadline: float, *, write: bool) -> None:
        """Block until the pipe is ready; raise if the worker exits or time runs out."""
        selector = self._writable if write else self._readable
        while True:
            if selector.select(max(0.0, min(deadline - time.monotonic(), POLL_S))):
                return
            if self._exited():
                raise ChannelClosed
            if time.monotonic() >= deadline:
                raise ChannelTimeout
