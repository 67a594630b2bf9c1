"""Grade the kernel's namespace in this very process: what the forked child of the kernel runs.

The checks are the grader's own (`grader.checks`) and talk to an `InProcessWorker`, which
answers probe requests exactly as the worker process does (the same probe runner and the same
JSON round trip, so the answers are the same plain numbers), only on the kernel's namespace.
A check that a parent process stopped (it ran out of time, or the process died while it ran)
comes in `settled` and is reported, not run again.
"""

from __future__ import annotations

import importlib
import io
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from grader import checks
from grader.api import SUBMISSION_TIMEOUTS
from grader.checks.base import Context, Judgement, run_timed
from grader.inline.kernel import KernelState
from grader.result import CheckStatus, Finding, Result
from grader.rubric import Check, Rubric
from grader.sandbox import protocol
from grader.sandbox.meter import Unmeasurable
from grader.sandbox.serve import answer, describe
from grader.sandbox.supervisor import Reply, reply_from
from grader.settings import Settings
from grader.truth import Truth

#: Why a resource check does not run inline.
UNMEASURED = (
    "measured by `grade` on the saved notebook: a check in the notebook cannot measure the CPU or "
    "memory of its own kernel"
)
#: Told when a check starts: its id and how long it may take (the parent's deadline).
Announce = Callable[[str, float], None]


@dataclass(frozen=True)
class Settled:
    """A check's outcome decided outside the process that graded the others."""

    status: CheckStatus
    message: str


class InProcessWorker:
    """Answers probe calls on `state.module` in this process, as `grader.sandbox.supervisor.Worker`
    does from its worker process (which the checks cannot tell apart)."""

    def __init__(self, state: KernelState, report: Callable[[str, str], None]) -> None:
        self._state, self._report, self._requests = state, report, 0

    def call(
        self,
        probe: str,
        inputs: dict[str, Any],
        timeout: float | None = None,
        cap: float | None = None,
        measure: bool = False,
    ) -> Reply:
        """Run the probe here; `timeout` is the parent's to enforce (it kills this process)."""
        if measure:
            raise Unmeasurable("a check in a notebook cannot measure its own process")
        self._requests += 1
        request = {"id": self._requests, "probe": probe, "inputs": protocol.decode(protocol.encode(inputs))}
        line = answer(self._state.module, request, self._describe, self._report)
        return reply_from(protocol.decode(line), self._requests)

    def _describe(self, exc: BaseException) -> dict[str, Any]:
        return describe(exc, self._state.cell_files)


def grade(
    state: KernelState,
    rubric: Rubric,
    settings: Settings,
    settled: Mapping[str, Settled],
    announce: Announce,
) -> Result:
    """Run `rubric`'s checks on the kernel's namespace (visible ones first, as `grade` does), with
    what the student's code prints kept in the result."""
    integrity: list[Finding] = []
    ctx = Context(
        rubric=rubric,
        settings=settings,
        filename=state.filename,
        probes=importlib.import_module(f"grader.probes.{rubric.exercise}"),
        worker=InProcessWorker(state, lambda rule, message: integrity.append(Finding(rule, message))),  # type: ignore[arg-type]
        names=state.names,
        truth=Truth.load(rubric, None),
        source=state.source,
        integrity=integrity,
        cap=time.monotonic() + SUBMISSION_TIMEOUTS * settings.timeout,
    )
    started = time.perf_counter()
    with _printed() as printed:
        for check in rubric.running_order:
            outcome = settled.get(check.id)
            if outcome is not None:
                run_timed(check, ctx, _settled(outcome))
                continue
            if check.kind == "resource":
                run_timed(check, ctx, _unmeasured)
                continue
            announce(check.id, ctx.settings_for(check).timeout)
            checks.run(check, ctx)
    result = Result(
        submission=state.filename,
        sha256="",
        exercise=rubric.exercise,
        checks=[ctx.done[check.id] for check in rubric.checks],
        title=rubric.title,
        misconception_titles={m.id: m.title for m in rubric.misconceptions.values()},
    )
    result.integrity = integrity
    result.stdout = printed.getvalue()
    result.duration_s = time.perf_counter() - started
    return result


def _unmeasured(_check: Check, _ctx: Context) -> Judgement:
    """A resource check measures the process that runs the code from outside: the kernel is that
    process, so only `grade` can (its verdict, not a failure for a correct solution, is what counts)."""
    return Judgement("skipped", message=UNMEASURED)


def _settled(outcome: Settled) -> Callable[[Check, Context], Judgement]:
    """A judge that gives the outcome decided outside (the hint and the names it is about come with it)."""
    return lambda _check, _ctx: Judgement(outcome.status, message=outcome.message)


@contextmanager
def _printed() -> Iterator[io.StringIO]:
    """What the checked code prints, kept rather than sent to the notebook's output."""
    kept = io.StringIO()
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = kept
    try:
        yield kept
    finally:
        sys.stdout, sys.stderr = streams
