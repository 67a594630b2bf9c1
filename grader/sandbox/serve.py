"""The program inside the student process: import the submission, then answer probes.

Started by :mod:`grader.sandbox.supervisor` as
``python -I -B -c <bootstrap> <grader root> grader.sandbox.serve <config json>``. Requests arrive as
JSON lines on a private pipe and every reply is one JSON line on another; the
student's own prints go to fds 1/2, which the supervisor captures separately.
Everything student code raises becomes data in a reply: only a hard exit
(``os._exit``, a signal, a kill) ends the process, and the supervisor sees EOF.
"""

from __future__ import annotations

import faulthandler
import functools
import importlib
import importlib.util
import json
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from grader.sandbox import audit, protocol, stack
from grader.sandbox.confinement import confine
from grader.sandbox.policy import Paths
from grader.sandbox.tamper import STREAMS, Watch
from grader.text import MESSAGE_CHARS, TRACEBACK_CHARS, clip

#: A probe named "exerciseNN.func" lives in this package; longer names are absolute.
PROBE_PACKAGE = "grader.probes"
#: Distinct findings one process may send: a loop of attempts must not flood the grader.
MAX_FINDINGS = 32
#: Describes an exception raised by student code for a reply (see :func:`describe`).
Describe = Callable[[BaseException], dict[str, Any]]


def main(config_json: str) -> None:
    """Confine this process, import the submission and serve probe requests until told to stop."""
    config = json.loads(config_json)
    _capture_prints()
    submission = enter_sandbox(config)
    session = _session(config["reply_fd"])
    session.watch(STREAMS)
    sources = {str(submission): submission.name}
    # Bound before the submission runs: replacing these module globals at import changes nothing here.
    loop, report, explain, leave = serve, session.report_tampering, describe, _exit
    try:
        module = _import_submission(submission)
    except BaseException as exc:  # SystemExit at import is the student's bug too
        report()
        session.send({"ready": False, "error": explain(exc, sources)})
        leave()
    report()
    loop(module, _public_names(module), config, lambda exc: explain(exc, sources))
    leave()


def enter_sandbox(config: dict[str, Any]) -> Path:
    """Confine this process, report the defences and guard imports, before any student code runs.

    Shared with the notebook kernel (``grader.notebook``). Returns the path of the
    submission's copy, in the directory that writes are confined to.
    """
    sys.dont_write_bytecode = True  # nothing is written from here on (the bootstrap's modules were)
    os.set_inheritable(config["request_fd"], False)  # a program the student runs must not hold it
    stack.register(config["dump_fd"])  # where it was, should it overrun
    session = _session(config["reply_fd"])
    submission, paths = Path(config["submission"]), Paths.from_json(config["paths"])
    defences = confine(
        paths,
        config["memory_bytes"],
        config["file_bytes"],
        config.get("cpu_seconds"),
        config.get("open_files"),
    )
    defences += audit.install(paths, session.finding, str(submission))
    session.send({"sandbox": defences})
    sys.path[0:0] = [str(submission.parent), *config["sys_path"]]
    return submission


def serve(module: Any, names: list[str], config: dict[str, Any], explain: Describe) -> None:
    """Announce ``names`` as ready, then answer probe requests until told to stop (or EOF).

    ``module`` is anything probes can take attributes from: the imported submission,
    or a notebook kernel's namespace. Tampering is reported before each reply.
    """
    session = _session(config["reply_fd"])
    session.report_tampering()
    session.send({"ready": True, "names": names})
    with os.fdopen(config["request_fd"], "rb") as lines:
        for line in lines:
            request = protocol.decode(line)
            if request["probe"] == protocol.SHUTDOWN:
                break
            reply = answer(module, request, explain, session.finding)
            session.report_tampering()
            session.write(reply)


class _Session:
    """This process's reply pipe and tamper watch, shared by the sandbox entry and the serving loop.

    Findings may come from any thread, so each line is written under a lock.
    """

    def __init__(self, reply_fd: int) -> None:
        os.set_inheritable(reply_fd, False)
        self._fd = reply_fd
        self._lock = threading.RLock()  # reentrant: a student's signal handler may report mid-write
        self._sent: set[tuple[str, str]] = set()
        self._watch = Watch()  # before any student code: the originals

    def send(self, message: dict[str, Any]) -> None:
        self.write(protocol.encode(message))

    def write(self, line: bytes) -> None:
        data = memoryview(line)
        with self._lock:
            while data:
                data = data[os.write(self._fd, data) :]

    def finding(self, rule: str, message: str) -> None:
        """Send each distinct finding once, at once (a hard exit may follow), up to a cap."""
        key = (rule, message[: protocol.FINDING_CHARS])
        with self._lock:
            if key in self._sent or len(self._sent) >= MAX_FINDINGS:
                return
            self._sent.add(key)
        try:
            self.send({protocol.FINDING: {"rule": rule, "message": key[1]}})
        except OSError:
            pass  # the student closed or took over the pipe: the finding is lost, the action is not

    def watch(self, names: Iterable[tuple[str, str]]) -> None:
        self._watch.include(names)

    def report_tampering(self) -> None:
        for name in self._watch.replaced():
            self.finding(audit.TAMPER, f"replaced {name}")


@functools.cache
def _session(reply_fd: int) -> _Session:
    return _Session(reply_fd)


def describe(exc: BaseException, sources: Mapping[str, str]) -> dict[str, Any]:
    """Type, message and the student's part of the traceback, for feedback.

    ``sources`` maps the file names of the student's code to the names feedback
    shows. Frames of the grader, the probe and numpy are dropped: the student
    should see where *their* code failed, not our internals.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in sources]
    line = frames[-1].lineno if frames else None
    if isinstance(exc, SyntaxError) and exc.filename in sources:
        line = exc.lineno
    text = "".join(traceback.StackSummary.from_list(frames).format())
    for path in {f.filename for f in frames}:
        text = text.replace(f'File "{path}"', f'File "{sources[path]}"')
    if len(text) > TRACEBACK_CHARS:
        text = "...\n" + text[-TRACEBACK_CHARS:]
    message = _message(exc)
    if isinstance(exc, MemoryError):
        message = f"memory limit exceeded: {message}" if message else "memory limit exceeded"
    kind = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
    return {"type": kind, "message": message, "traceback": text, "line": line}


def answer(module: Any, request: dict[str, Any], explain: Describe, report: audit.Report) -> bytes:
    """Run one probe; whatever happens, produce one encoded reply line."""
    try:
        probe = _resolve_probe(request["probe"], report)
        value = protocol.plain(probe(module, request["inputs"]))
        return protocol.encode({"id": request["id"], "ok": True, "value": value})
    except BaseException as exc:  # sys.exit() in a call is a failed call too
        return protocol.encode({"id": request["id"], "ok": False, "error": explain(exc)})


def _resolve_probe(name: str, report: audit.Report) -> Callable[[ModuleType, Any], Any]:
    """The probe to run; one of the grader's that is not what the grader wrote is reported (and run:
    nothing it answers is believed beyond what the grader can check)."""
    module_name, _, function = name.rpartition(".")
    if "." not in module_name:
        module_name = f"{PROBE_PACKAGE}.{module_name}"
    probe: Callable[[ModuleType, Any], Any] = getattr(importlib.import_module(module_name), function)
    if module_name.startswith(PROBE_PACKAGE + ".") and not _genuine(probe):
        report(audit.TAMPER, f"replaced the grader's probe {function}")
    return probe


def _genuine(probe: Any) -> bool:
    """Whether a probe is a grader's Probe running code from the grader's probes package."""
    code = getattr(getattr(probe, "run", None), "__code__", None)
    folder = str(Path(__file__).resolve().parent.parent / "probes")
    return type(probe).__module__ == "grader.probes.base" and str(
        getattr(code, "co_filename", "")
    ).startswith(folder)


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
    return clip(text, MESSAGE_CHARS)


def _capture_prints() -> None:
    """Line-buffered text streams on fds 1/2, so prints reach the supervisor's pipe promptly."""
    sys.stdout, sys.stderr = (
        open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
        for fd in (1, 2)
    )
    faulthandler.enable()  # a segfault in student code still shows where it happened


def _exit() -> NoReturn:
    """Flush what the student printed, then leave without running student atexit hooks or threads."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # the student may have replaced the streams
            pass
    os._exit(0)
