"""The program inside the student process: import the submission, then answer probes.

Started by :mod:`grader.sandbox.supervisor` as
``python -I -B -c <bootstrap> <grader root> <config json>``. Requests arrive as
JSON lines on a private pipe and every reply is one JSON line on another; the
student's own prints go to fds 1/2, which the supervisor captures separately.
Everything student code raises becomes data in a reply: only a hard exit
(``os._exit``, a signal, a kill) ends the process, and the supervisor sees EOF.
"""

from __future__ import annotations

import faulthandler
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from grader.sandbox import protocol
from grader.sandbox.confinement import confine

#: Packages the submission must not import: the course's solutions sit next to grader/.
BLOCKED_PACKAGES = ("reference",)
#: A probe named "exerciseNN.func" lives in this package; longer names are absolute.
PROBE_PACKAGE = "grader.probes"
MESSAGE_CHARS = 2_000
TRACEBACK_CHARS = 8_000


def main(config_json: str) -> None:
    """Confine this process, import the submission and serve probe requests until told to stop."""
    config = json.loads(config_json)
    requests, replies = config["request_fd"], config["reply_fd"]
    for fd in (requests, replies):
        os.set_inheritable(fd, False)  # children the student spawns must not hold the channel
    submission = Path(config["submission"])
    _capture_prints()
    defences = confine(submission.parent, config["memory_bytes"], config["file_bytes"])
    _send(replies, protocol.encode({"sandbox": defences}))
    sys.meta_path.insert(0, _BlockPackages(BLOCKED_PACKAGES))
    sys.path[0:0] = [str(submission.parent), *config["sys_path"]]
    try:
        module = _import_submission(submission)
    except BaseException as exc:  # SystemExit at import is the student's bug too
        _send(replies, protocol.encode({"ready": False, "error": _describe(exc, submission)}))
        _exit()
    _send(replies, protocol.encode({"ready": True, "names": _public_names(module)}))
    with os.fdopen(requests, "rb") as lines:
        for line in lines:
            request = protocol.decode(line)
            if request["probe"] == protocol.SHUTDOWN:
                break
            _send(replies, _answer(module, request, submission))
    _exit()


def _describe(exc: BaseException, student_file: Path) -> dict[str, Any]:
    """Type, message and the student's part of the traceback, for feedback.

    Frames of the grader, the probe and numpy are dropped: the student should see
    where *their* code failed, not our internals.
    """
    path = str(student_file)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    line = frames[-1].lineno if frames else None
    if isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno
    text = "".join(traceback.StackSummary.from_list(frames).format())
    text = text.replace(f'File "{path}"', f'File "{student_file.name}"')
    if len(text) > TRACEBACK_CHARS:
        text = "...\n" + text[-TRACEBACK_CHARS:]
    message = _message(exc)
    if isinstance(exc, MemoryError):
        message = f"memory limit exceeded: {message}" if message else "memory limit exceeded"
    kind = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
    return {"type": kind, "message": message, "traceback": text, "line": line}


def _answer(module: ModuleType, request: dict[str, Any], submission: Path) -> bytes:
    """Run one probe; whatever happens, produce one encoded reply line."""
    try:
        probe = _resolve_probe(request["probe"])
        value = protocol.plain(probe(module, request["inputs"]))
        return protocol.encode({"id": request["id"], "ok": True, "value": value})
    except BaseException as exc:  # sys.exit() in a call is a failed call too
        error = _describe(exc, submission)
        return protocol.encode({"id": request["id"], "ok": False, "error": error})


def _resolve_probe(name: str) -> Callable[[ModuleType, Any], Any]:
    module_name, _, function = name.rpartition(".")
    if "." not in module_name:
        module_name = f"{PROBE_PACKAGE}.{module_name}"
    probe: Callable[[ModuleType, Any], Any] = getattr(importlib.import_module(module_name), function)
    return probe


def _import_submission(path: Path) -> ModuleType:
    """Import the copy by file path, as ``python path`` would see itself (but not as __main__)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    sys.argv = [str(path)]
    spec.loader.exec_module(module)
    return module


def _public_names(module: ModuleType) -> list[str]:
    return sorted(n for n in vars(module) if isinstance(n, str) and not n.startswith("_"))


def _message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a student's __str__ may raise anything
        text = "<the exception's message could not be read>"
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."


class _BlockPackages(importlib.abc.MetaPathFinder):
    """Make ``import reference`` fail as if the package were not installed."""

    def __init__(self, packages: Sequence[str]) -> None:
        self._packages = frozenset(packages)

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in self._packages:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _capture_prints() -> None:
    """Line-buffered text streams on fds 1/2, so prints reach the supervisor's pipe promptly."""
    sys.stdout, sys.stderr = (
        open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
        for fd in (1, 2)
    )
    faulthandler.enable()  # a segfault in student code still shows where it happened


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _exit() -> NoReturn:
    """Flush what the student printed, then leave without running student atexit hooks or threads."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # the student may have replaced the streams
            pass
    os._exit(0)
