"""The grader's side of the sandbox: run a submission in a worker and ask it probe questions.

Typical use::

    with Worker(Path("exercise11.py"), Limits()) as worker:  # starts importing now
        ...  # grader work overlaps the import
        ready = worker.wait_ready()
        reply = worker.call("exercise11.mlp_backward_grads", {"X": X, ...})

Every outcome is a :class:`Reply`, never an exception: a hanging or crashing
submission is a grading result. After a timeout or a crash the next call
starts a fresh worker, so later checks are still graded. A failed import is
final: every later call returns the same reply. One Worker is used by one
thread at a time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from grader.rules import FORGED
from grader.sandbox import protocol, stack
from grader.sandbox.channel import Channel, ChannelClosed, ChannelOverflow, ChannelTimeout
from grader.sandbox.meter import Measurement, Meter
from grader.sandbox.output import CappedOutput
from grader.sandbox.process import SPAWN_DEFENCES, WorkerProcess
from grader.sandbox.user import worker_user
from grader.settings import Settings
from grader.text import MESSAGE_CHARS, NAME_CHARS, TRACEBACK_CHARS, clip, format_size

CORRUPTED_MESSAGE = "the submission corrupted the grader's channel"
OVERSIZED_MESSAGE = "the submission's answer was too large to receive"
#: How long close() lets a worker exit on its own (flushing prints) before killing it.
CLOSE_GRACE_S = 0.5
#: Findings kept per submission (each worker process caps its own, but restarts repeat them).
MAX_FINDINGS = 50
#: Names a submission may define and announce (a module with more is no exercise).
MAX_NAMES = 10_000
#: A "score" field in what the submission printed: a result of its own making.
FORGED_OUTPUT = re.compile(r'"(?:score|max_score)"\s*:')
PRINTED_RESULT = 'printed a grading result of its own (a "score" field); grades come only from the grader'


#: The grader's defaults, written once in `grader.settings` (plain data, cheap to import).
_DEFAULT = Settings()


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker; sizes in bytes, times in seconds (by default those of `Settings()`)."""

    call_timeout_s: float = _DEFAULT.timeout
    import_timeout_s: float = _DEFAULT.timeout
    memory_bytes: int = _DEFAULT.memory_mb * 2**20
    output_bytes: int = _DEFAULT.output_kb * 1024
    #: Nothing may write files after confinement; where Landlock is missing this is the guard.
    file_bytes: int = 0
    #: A backstop to the grader's deadlines: a worker that outlives them dies of its CPU limit.
    cpu_seconds: int | None = None


@dataclass(frozen=True)
class StudentError:
    """What went wrong in the student process, as shown to the student.

    ``type`` is the exception's class name, or "Timeout" / "WorkerCrashed" for
    the supervisor's own verdicts. ``traceback`` holds only frames of the
    submission file; ``line`` is the submission's line where it failed, if known
    (in a notebook, the line in its cell). After a timeout, ``where`` says what was
    running, quoted from the grader's copy of the source (``line 14: `while True:` ``,
    ``cell 3, line 2: …``), or is "" when the worker could not tell.
    """

    type: str
    message: str
    traceback: str = ""
    line: int | None = None
    where: str = ""

    def running(self, otherwise: str) -> str:
        """What a timeout says of where it hung: "it was running <where>", or `otherwise`."""
        return f"it was running {self.where}" if self.where else otherwise


@dataclass
class Reply:
    """The outcome of importing the submission or of one probe call."""

    status: Literal["ok", "error", "timeout", "crashed"]
    value: Any = None
    error: StudentError | None = None
    #: What the call used, read from outside the worker (calls made with ``measure=True``).
    measured: Measurement | None = None


class Worker:
    """A submission imported in a confined worker process, answering probe calls.

    Its processes run as the user `GRADER_WORKER_USER` names where the grader is root (see
    `grader.sandbox.user`); a name that is no user is a UsageError here, before anything runs.
    """

    #: What the worker does before it answers calls, as messages name it.
    PHASE = "importing the submission"

    def __init__(self, submission: Path, limits: Limits, extra_sys_path: Sequence[str] = ()) -> None:
        self._submission = Path(submission).resolve()
        #: Read once: every incarnation runs, and every message quotes, these very bytes.
        self._content = self._submission.read_bytes()
        self._limits = limits
        self._extra_sys_path = tuple(extra_sys_path)
        self._user = worker_user()
        self._output = CappedOutput(limits.output_bytes)
        self._process: WorkerProcess | None = None
        self._ready: Reply | None = None
        self._import_failure: Reply | None = None
        self._reported_defences: list[str] = []
        self._findings: dict[tuple[str, str], None] = {}  # ordered, without repeats across restarts
        self._requests = 0
        self._closed = False

    def start(self) -> None:
        """Spawn the worker if none is running; returns at once, the import runs meanwhile."""
        if self._closed:
            raise RuntimeError("this Worker is closed")
        if self._process is None:
            self._process = self._spawn()
            self._ready = None

    def wait_ready(self, cap: float | None = None) -> Reply:
        """Wait for the import (at most until ``cap``): ok with the module's public names, or why not."""
        if self._import_failure is not None:
            return self._import_failure
        self.start()
        if self._ready is None:
            self._ready = self._await_import(cap)
        if self._ready.status != "ok":
            self._import_failure = self._ready
            self._discard()
        return self._ready

    def call(
        self,
        probe: str,
        inputs: dict[str, Any],
        timeout: float | None = None,
        cap: float | None = None,
        measure: bool = False,
    ) -> Reply:
        """Run ``probe(student_module, inputs)`` in the worker and return its plain result.

        ``probe`` is "exerciseNN.function" (from ``grader.probes``) or a dotted path
        "package.module.function". ``timeout`` defaults to ``limits.call_timeout_s``
        and excludes the import of a restarted worker; ``cap`` (monotonic) bounds the
        whole call, a restart's import included. With ``measure``, the reply carries what
        the call used (see :mod:`grader.sandbox.meter`). ``inputs`` must be plain data (see
        :func:`protocol.encode`); anything else is a grader bug: TypeError.
        """
        ready = self.wait_ready(cap)
        if ready.status != "ok":
            return ready
        assert self._process is not None
        channel = self._process.channel
        limit = self._limits.call_timeout_s if timeout is None else timeout
        deadline = min(time.monotonic() + limit, cap if cap is not None else float("inf"))
        self._requests += 1
        request_id = self._requests
        request = protocol.encode({"id": request_id, "probe": probe, "inputs": inputs})
        meter = Meter(self._process.pid) if measure else None

        def exchange() -> Reply:
            if meter is not None:
                meter.start()
            channel.send(request, deadline)
            reply = reply_from(self._receive(channel, deadline), request_id)
            if meter is not None:
                reply.measured = meter.stop()
            return reply

        def timed_out(where: str) -> str:
            running = f" while running {where}" if where else ""
            return f"no answer within {limit:g} s (the worker was stopped{running})"

        return self._guarded(exchange, timed_out)

    def close(self) -> None:
        """Stop the worker and everything it started, and delete its directory. Idempotent."""
        self._closed = True
        if self._process is not None:
            self._process.stop(CLOSE_GRACE_S)
            self._process = None

    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def output(self) -> str:
        """What the submission printed (stdout and stderr, all incarnations), capped.

        Complete after close(); while the worker runs it may lag a little behind.
        """
        return self._output.text

    def output_so_far(self) -> str:
        """What the submission has printed up to now (the running worker's pipe emptied first)."""
        if self._process is not None:
            self._process.settle_output()
        return self._output.text

    @property
    def limits(self) -> Limits:
        return self._limits

    @property
    def output_truncated(self) -> bool:
        return self._output.truncated

    @property
    def defences(self) -> list[str]:
        """The defences actually active; complete once wait_ready() has returned."""
        limits = self._limits
        phase = f"{limits.import_timeout_s:g} s for {self.PHASE}"
        return [
            *SPAWN_DEFENCES,
            *([self._user.defence] if self._user else []),
            *self._reported_defences,
            f"time limit {limits.call_timeout_s:g} s per call, {phase}",
            f"output cap {format_size(limits.output_bytes)}",
        ]

    @property
    def reported(self) -> int:
        """How many findings the worker has reported so far (what it printed is looked at apart)."""
        return len(self._findings)

    @property
    def findings(self) -> list[tuple[str, str]]:
        """(rule, message) of what the submission tried that a TA should see.

        Best-effort evidence reported by the student's own process (which could
        silence it), plus a look at what it printed. Never used to decide a score.
        """
        printed = [(FORGED, PRINTED_RESULT)] if FORGED_OUTPUT.search(self.output) else []
        return [*self._findings, *printed]

    def _receive(self, channel: Channel, deadline: float) -> Any:
        """The worker's next message, after recording the findings sent ahead of it."""
        while True:
            message = protocol.decode(channel.receive(deadline))
            if not (isinstance(message, dict) and protocol.FINDING in message):
                return message
            finding = _finding_from(message[protocol.FINDING])
            if len(self._findings) < MAX_FINDINGS:
                self._findings[finding] = None

    def _spawn(self) -> WorkerProcess:
        """A fresh incarnation; the notebook worker overrides this to launch a Jupyter kernel."""
        return WorkerProcess(
            self._submission,
            memory_bytes=self._limits.memory_bytes,
            file_bytes=self._limits.file_bytes,
            cpu_seconds=self._limits.cpu_seconds,
            extra_sys_path=self._extra_sys_path,
            output=self._output,
            content=self._content,
            user=self._user,
        )

    def _await_import(self, cap: float | None) -> Reply:
        assert self._process is not None
        channel = self._process.channel
        limit = self._limits.import_timeout_s
        deadline = min(self._process.started_at + limit, cap if cap is not None else float("inf"))

        def exchange() -> Reply:
            self._reported_defences = _defences_from(self._receive(channel, deadline))
            return _ready_from(self._receive(channel, deadline))

        def timed_out(where: str) -> str:
            return f"{self.PHASE} took longer than {limit:g} s" + (
                f" (it was running {where})" if where else ""
            )

        return self._guarded(exchange, timed_out, f" while {self.PHASE}")

    def _guarded(
        self, exchange: Callable[[], Reply], timed_out: Callable[[str], str], during: str = ""
    ) -> Reply:
        """Run one exchange with the worker, turning every way it can fail into a Reply.

        ``timed_out(where)`` is the message of a timeout, told where the worker was ("" if unknown).
        """
        assert self._process is not None
        try:
            return exchange()
        except ChannelTimeout:
            frames = self._process.locate()
            self._discard()
            return Reply("timeout", error=_timeout_error(timed_out, frames))
        except ChannelClosed:
            return self._crashed(self._process.death() + during)
        except ChannelOverflow:
            return self._crashed(OVERSIZED_MESSAGE)
        except ValueError:
            return self._crashed(CORRUPTED_MESSAGE)

    def _crashed(self, message: str) -> Reply:
        self._discard()
        return Reply("crashed", error=StudentError("WorkerCrashed", message))

    def _discard(self) -> None:
        """Kill the current incarnation; the next call or wait_ready() starts a fresh one."""
        if self._process is not None:
            self._process.kill()
            self._process = None


def _timeout_error(timed_out: Callable[[str], str], frames: list[stack.Frame]) -> StudentError:
    """A timeout, with the line of the submission that was running (the innermost of its frames)."""
    if not frames:
        return StudentError("Timeout", timed_out(""))
    innermost = frames[-1]
    return StudentError(
        "Timeout", timed_out(innermost.where), stack.traceback(frames), innermost.line, innermost.where
    )


def _defences_from(message: Any) -> list[str]:
    """The worker's first line, sent before any student code ran."""
    defences = message.get("sandbox") if isinstance(message, dict) else None
    if not isinstance(defences, list) or not all(isinstance(d, str) for d in defences):
        raise ValueError("expected the worker's sandbox report")
    return defences


def _finding_from(finding: Any) -> tuple[str, str]:
    if not isinstance(finding, dict):
        raise ValueError("malformed finding")
    rule, message = finding.get("rule"), finding.get("message")
    if not (isinstance(rule, str) and isinstance(message, str)):
        raise ValueError("malformed finding")
    return rule[: protocol.FINDING_CHARS], message[: protocol.FINDING_CHARS]


def _ready_from(message: Any) -> Reply:
    if not isinstance(message, dict) or not isinstance(message.get("ready"), bool):
        raise ValueError("expected the worker's ready message")
    if not message["ready"]:
        return Reply("error", error=_student_error_from(message.get("error")))
    names = message.get("names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > MAX_NAMES:
        raise ValueError("malformed list of names")
    return Reply("ok", value=[clip(name, NAME_CHARS) for name in names])


def reply_from(message: Any, request_id: int) -> Reply:
    if not isinstance(message, dict) or message.get("id") != request_id:
        raise ValueError("reply does not answer the request")
    if message.get("ok") is True and "value" in message:
        return Reply("ok", value=message["value"])
    if message.get("ok") is False:
        return Reply("error", error=_student_error_from(message.get("error")))
    raise ValueError("malformed reply")


def _student_error_from(error: Any) -> StudentError:
    if not isinstance(error, dict):
        raise ValueError("malformed error")
    kind, message, text, line = (error.get(k) for k in ("type", "message", "traceback", "line"))
    if not (isinstance(kind, str) and isinstance(message, str) and isinstance(text, str)):
        raise ValueError("malformed error")
    if line is not None and type(line) is not int:
        raise ValueError("malformed error line")
    return StudentError(
        clip(kind, NAME_CHARS), clip(message, MESSAGE_CHARS), clip(text, TRACEBACK_CHARS), line
    )
