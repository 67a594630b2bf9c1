"""Where a worker was when its time ran out: the stack it dumps on a signal, kept to the submission's frames.

Before any student code runs the worker registers `faulthandler` on `DUMP_SIGNAL`, writing to a
pipe of its own (`register`). The grader, about to kill a worker that overran, sends the signal
and reads the dump for at most `DUMP_WAIT_S` (`read_dump`). The dump is the student process's text:
only frames whose file is one the grader gave the worker count (never the grader's, the libraries'
or a path the dump makes up), a line number counts only if that source has the line, and the
quoted line comes from the grader's own copy of the source, never from the dump.
"""

from __future__ import annotations

import faulthandler
import functools
import os
import re
import selectors
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass

from grader.syntax import lines_of, quoted
from grader.text import NAME_CHARS, TRACEBACK_CHARS, clip

#: The signal on which the worker dumps the stack of its main thread (where student code runs).
DUMP_SIGNAL = signal.SIGUSR1
#: The longest wait for a dump: a worker that replaced the handler sends none.
DUMP_WAIT_S = 0.2
#: A pause this long after some bytes ends the dump (faulthandler writes it all at once).
QUIET_S = 0.02
#: The most of a dump read: faulthandler prints at most 100 frames of at most 500 characters each.
DUMP_BYTES = 64 * 1024
#: A frame as faulthandler prints it (most recent call first).
FRAME = re.compile(r'^  File "(?P<file>.*)", line (?P<line>\d+) in (?P<function>.*)$')


@dataclass(frozen=True)
class Source:
    """A file holding the submission's code, as the worker compiled it."""

    #: How feedback names it: the module's file name, or ``"exercise11.ipynb, code cell 3"``.
    name: str
    #: Where in the submission it is, before a line number: "" for a module, ``"code cell 3, "`` for a cell.
    place: str
    text: str

    @functools.cached_property
    def lines(self) -> list[str]:
        return lines_of(self.text)


@dataclass(frozen=True)
class Frame:
    source: Source
    line: int
    function: str

    @property
    def quoted(self) -> str:
        """The frame's line, from the grader's copy of the source."""
        return quoted(self.source.lines[self.line - 1])

    @property
    def where(self) -> str:
        """``line 14: `while True:` `` (``cell 3, line 2: …`` in a notebook)."""
        return f"{self.source.place}line {self.line}: `{self.quoted}`"


def register(fd: int) -> None:
    """In the worker, before student code runs: dump the main thread's stack to ``fd`` on `DUMP_SIGNAL`."""
    os.set_inheritable(fd, False)
    faulthandler.register(DUMP_SIGNAL, file=fd, all_threads=False)


def read_dump(fd: int, deadline: float) -> str:
    """What the worker writes to ``fd`` (non-blocking) until it pauses after writing, or ``deadline``."""
    data = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while len(data) < DUMP_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(min(remaining, QUIET_S) if data else remaining):
                break
            chunk = _read(fd, DUMP_BYTES - len(data))
            if not chunk:
                break
            data += chunk
    return data.decode("ascii", errors="replace")  # faulthandler escapes everything else


def drain(fd: int) -> None:
    """Discard what an earlier dump left in the pipe (non-blocking ``fd``)."""
    while _read(fd, DUMP_BYTES):
        pass


def frames(dump: str, sources: Mapping[str, Source]) -> list[Frame]:
    """The dump's frames in ``sources`` (file names as the worker compiled them), outermost first."""
    found = []
    for text in dump.splitlines():
        match = FRAME.match(text)
        source = sources.get(match["file"]) if match else None
        if match and source is not None and 1 <= int(match["line"]) <= len(source.lines):
            found.append(Frame(source, int(match["line"]), clip(match["function"], NAME_CHARS)))
    return found[::-1]


def traceback(found: list[Frame]) -> str:
    """The frames as a Python traceback shows them (only the submission's), the last ones kept."""
    text = "".join(
        f'  File "{f.source.name}", line {f.line}, in {f.function}\n    {f.quoted}\n' for f in found
    )
    return text if len(text) <= TRACEBACK_CHARS else "...\n" + text[-TRACEBACK_CHARS:]


def _read(fd: int, size: int) -> bytes:
    try:
        return os.read(fd, size)
    except BlockingIOError:
        return b""
