"""An audit hook in the worker: refuse what the sandbox forbids and report every attempt.

Python-level only: ctypes or a C extension act without raising audit events,
which is why the OS defences (Landlock, seccomp) come first where they exist.
The hook is what stops these actions elsewhere (macOS, older kernels), and it is
the witness of *attempts*: each becomes an integrity finding for a TA. Findings
are evidence, never a grade: the student controls this process and could
silence the reporter.

CPython calls every hook for every event, and submissions raise hot ones the hook
ignores (300,000 ``builtins.id`` in a deep-graph check). Where the C dispatch
(``_audit.c``) was built, only the events in the handler table reach Python; the
others cost a lookup in C. Elsewhere the same handler is a plain Python hook.
"""

from __future__ import annotations

import os
import socket
import sys
import sysconfig
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from grader.rules import (  # noqa: F401 (the rules are named through this module too)
    DELETE,
    FORGED,
    NATIVE,
    NETWORK,
    READ_COURSE,
    READ_OUTSIDE,
    SIGNAL,
    SPAWN,
    TAMPER,
    WRITE_OUTSIDE,
)
from grader.sandbox.policy import Paths, beneath

#: Packages the submission must not import: the course's solutions.
BLOCKED_PACKAGES = ("reference",)
#: File names a grading harness writes; a submission writing one hopes to be mistaken for it.
RESULT_FILES = ("results.json", "results.jsonl", "grades.csv", "junit.xml")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
#: Audit events that change the file system: what they do, and which arguments are the paths changed.
CHANGES = {
    "os.remove": ("delete", (0,)),
    "os.rmdir": ("delete", (0,)),
    "shutil.rmtree": ("delete", (0,)),
    "os.rename": ("move", (0, 1)),
    "os.mkdir": ("create", (0,)),
    "os.chmod": ("change the permissions of", (0,)),
    "os.chown": ("change the owner of", (0,)),
    "os.truncate": ("truncate", (0,)),
    "os.link": ("create", (1,)),
    "os.symlink": ("create", (1,)),
    "os.utime": ("change the times of", (0,)),
}
SPAWNS = ("subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty")
IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)
DETAIL_CHARS = 120
#: Rules for what libraries also do on their own, reported only when the student's code does it itself.
LIBRARIES_DO_TOO = (READ_OUTSIDE, NATIVE, SPAWN, NETWORK)
LABEL = "audit hook ({}): Python-level file, process, signal and network checks (reports attempts)"
#: How the hook receives events, as the label names it.
C_DISPATCH = "C dispatch"
PYTHON_DISPATCH = "Python dispatch: the C one is not built"

Report = Callable[[str, str], None]


class Audit:
    """The hook's decisions, one method per kind of event."""

    def __init__(self, paths: Paths, report: Report, submission: str) -> None:
        self._paths, self._send, self._submission = paths, report, os.path.realpath(submission)
        self._inside = threading.local()  # the hook's own file lookups must not re-enter it
        self._stdlib = sysconfig.get_path("stdlib")
        self._packages = {sysconfig.get_path(name) for name in ("purelib", "platlib")}
        self._handlers: dict[str, Callable[[str, tuple[Any, ...]], None]] = {
            "open": self._open,
            "os.listdir": self._list,
            "os.scandir": self._list,
            "socket.__new__": self._socket,
            "os.kill": self._kill,
            "os.killpg": self._kill,
            "ctypes.dlopen": self._native,
            **dict.fromkeys(CHANGES, self._change),
            **dict.fromkeys(SPAWNS, self._spawn),
            "socket.getaddrinfo": self._lookup,
        }

    @property
    def events(self) -> tuple[str, ...]:
        """The events the hook handles: the C dispatch passes these on and ignores the rest."""
        return tuple(self._handlers)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        handler = self._handlers.get(event)
        if handler is None or getattr(self._inside, "active", False):
            return
        self._inside.active = True
        try:
            handler(event, args)
        finally:
            self._inside.active = False

    def report(self, rule: str, message: str) -> None:
        """Pass a finding on if the student's code did it: a library's own housekeeping is no attempt.

        Student code is any code compiled from a file in the worker's directory (the
        submission's copy, a notebook's cells, files it wrote). Reading the course's
        secrets, writing outside or signalling counts from any depth (even through
        numpy); what libraries also do on their own (reading /proc, ctypes, starting
        ``uname``) only when the student's code called it directly or through the
        standard library.
        """
        direct = rule in LIBRARIES_DO_TOO
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if beneath(filename, self._paths.workdir):
                self._send(rule, message)
                return
            if direct and filename != __file__ and not self._standard(filename):
                return
            frame = frame.f_back

    def _standard(self, filename: str) -> bool:
        """Whether ``filename`` is part of Python's standard library."""
        packages = any(beneath(filename, p) for p in self._packages)
        return filename.startswith("<frozen ") or (beneath(filename, self._stdlib) and not packages)

    def _refuse(self, rule: str, message: str) -> None:
        self.report(rule, message)
        raise PermissionError(f"the grader's sandbox does not allow this: {message}")

    def _refuse_write(self, path: str, message: str) -> None:
        """Writes are refused everywhere; only one outside the worker's own directory is an attempt to
        report (inside it, a library's cache or a student's scratch file is no attack)."""
        if not beneath(path, self._paths.workdir):
            self._refuse(WRITE_OUTSIDE, message)
        raise PermissionError(
            f"the grader's sandbox does not allow this: {message} (files are read-only here)"
        )

    def _open(self, event: str, args: tuple[Any, ...]) -> None:
        path, flags = _resolve(args[0]), args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if path is None:
            return
        if not flags & WRITE_FLAGS:
            self._read(path, "read")
            return
        if os.path.basename(path) in RESULT_FILES:
            self.report(
                FORGED, f"tried to write {os.path.basename(path)}, a file named like a grading result"
            )
        if not self._paths.may_write(path):
            self._refuse_write(path, f"tried to write {self._show(path)}")

    def _list(self, event: str, args: tuple[Any, ...]) -> None:
        path = _resolve(args[0] if args and args[0] is not None else ".")
        if path is not None:
            self._read(path, "list")

    def _read(self, path: str, verb: str) -> None:
        if self._paths.is_private(path):
            self._refuse(READ_COURSE, f"tried to {verb} {self._show(path)}")
        if not self._paths.may_read(path):
            self._refuse(READ_OUTSIDE, f"tried to {verb} {path}")

    def _change(self, event: str, args: tuple[Any, ...]) -> None:
        verb, indices = CHANGES[event]
        for index in indices:
            path = _resolve(args[index]) if index < len(args) else None
            if path is None:
                continue
            if verb == "delete" and beneath(self._submission, path):
                self.report(DELETE, f"tried to delete its own submission's copy ({event} {self._show(path)})")
            if not self._paths.may_write(path):
                self._refuse_write(path, f"tried to {verb} {self._show(path)} ({event})")

    def _spawn(self, event: str, args: tuple[Any, ...]) -> None:
        what = _short(args[1] if event == "subprocess.Popen" and len(args) > 1 else args[:2])
        self._refuse(SPAWN, f"tried to start a process ({event}{': ' if what else ''}{what})")

    def _kill(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "os.kill" and args[0] == os.getpid():
            return
        self._refuse(SIGNAL, f"tried to send signal {args[1]} to process {args[0]} ({event})")

    def _socket(self, event: str, args: tuple[Any, ...]) -> None:
        if len(args) > 1 and args[1] in IP_FAMILIES:
            self._refuse(NETWORK, "tried to open an internet socket")

    def _lookup(self, event: str, args: tuple[Any, ...]) -> None:
        self._refuse(NETWORK, f"tried to look up the network address of {_short(args[0])}")

    def _native(self, event: str, args: tuple[Any, ...]) -> None:
        library = args[0] or "the C library"
        self.report(NATIVE, f"loaded {library} with ctypes (native calls bypass this audit)")

    def _show(self, path: str) -> str:
        """A course file relative to the course, one of the worker's relative to its directory."""
        for secret in self._paths.private:
            if beneath(path, secret):
                return os.path.relpath(path, os.path.dirname(secret)) + " of the course"
        if beneath(path, self._paths.workdir):
            return os.path.relpath(path, self._paths.workdir)
        return path


class BlockPackages:
    """Make ``import reference`` fail as if the package were not installed, and report it.

    A meta path finder by its `find_spec` alone (`importlib.abc` costs the worker ~5 ms to import).
    """

    def __init__(self, report: Report) -> None:
        self._report = report

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in BLOCKED_PACKAGES:
            self._report(READ_COURSE, f"tried to import {name}")
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def install(paths: Paths, report: Report, submission: str) -> list[str]:
    """Install the hook (for good: audit hooks cannot be removed) and the import block."""
    audit = Audit(paths, report, submission)
    dispatch = _add_hook(audit)
    sys.meta_path.insert(0, BlockPackages(audit.report))
    return [LABEL.format(dispatch)]


def _add_hook(audit: Audit) -> str:
    """Hook ``audit`` in through the C dispatch where it was built, else directly; say which."""
    try:
        from grader.sandbox._audit import add_hook
    except ImportError:  # built only where a C compiler and Python's headers were at install time
        sys.addaudithook(audit.hook)
        return PYTHON_DISPATCH
    add_hook(audit.hook, audit.events)
    return C_DISPATCH


def _resolve(path: Any) -> str | None:
    """The absolute, symlink-free path an audit argument names; None for file descriptors."""
    if isinstance(path, int) or path is None:
        return None
    try:
        return os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return None


def _short(value: Any) -> str:
    text = " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "..."
