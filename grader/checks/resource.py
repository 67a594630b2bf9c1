"""`resource`: memory or CPU of one call, measured from outside the worker, against an allowance.

The worker's kernel accounting is read by the grader (`grader.sandbox.meter`), never taken
from the submission's process. The allowance is the rubric's `max_ratio` times a baseline:
a size computed from the inputs (memory) or the trusted module's CPU time for the same call,
measured in the grader in the same run (cpu). Efficiency earns points only with a correct
answer: the call's answer is compared with the trusted module's first. What the submission's
process observed about itself (evaluation counts, a call log) only names the mistake.
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from grader.answers import Record, like
from grader.checks.base import (
    NOT_AVAILABLE,
    CaseFailure,
    Context,
    Judgement,
    knock_on,
    over_cases,
    prefix,
    reply_for,
    validated,
)
from grader.checks.compare import compare
from grader.probes.base import Case, Probe, Resource
from grader.rubric import Check
from grader.sandbox import meter
from grader.text import format_size
from grader.truth import run_trusted

NOT_MEASURABLE = "runs where the grader can measure a process from outside (Linux /proc)"
NEEDS_CORRECTNESS = "efficiency earns points only with a correct answer"


def judge(check: Check, ctx: Context) -> Judgement:
    probe = ctx.probe(check)
    measured, answer, explain = probe.resource, probe.answer, probe.judge
    assert measured and answer and explain, f"probe {check.probe} is no resource probe"
    trusted = measured.trusted(ctx.truth.reference)
    if trusted is None:
        return Judgement("skipped", message=NOT_AVAILABLE)
    if not meter.available():
        return Judgement("skipped", message=NOT_MEASURABLE)
    tol = ctx.settings_for(check)

    def one(case: Case, deadline: float) -> CaseFailure | None:
        with ThreadPoolExecutor(max_workers=1) as beside:  # the trusted run overlaps the worker's first call
            trusted_run = beside.submit(_trusted_run, trusted, probe, case, min(measured.repeat, 2))
            replies = [reply_for(ctx, check, case, deadline, measure=True)]
            correct, cpu_s = trusted_run.result()
        shape = Record({"answer": like(correct), "observed": answer(case.inputs)})
        baseline = measured.size(case.inputs) if measured.size is not None else cpu_s
        allowed = check.max_ratio * baseline + measured.overhead
        best, observed = float("inf"), None
        for attempt in range(measured.repeat):  # the best of a few calls: the first pays for warming up
            reply = replies[0] if attempt == 0 else reply_for(ctx, check, case, deadline, measure=True)
            got = validated(ctx, check, case, shape, reply.value)
            wrong = compare(got["answer"], correct, tol, "the answer")
            if wrong is not None:
                return _wrong_answer(check, ctx, case, wrong.message)
            use = reply.measured
            assert use is not None, "a measured call carries its measurement"
            best = min(best, use.memory_bytes if measured.metric == "memory" else use.cpu_s)
            observed = got["observed"]
            if best <= allowed:
                return None
        verdict = explain(case.inputs, observed, None)
        message = prefix(case) + _over(measured, best, baseline, check.max_ratio)
        if verdict.message:
            message += f"; {verdict.message}"
        return CaseFailure("failed", message, verdict.misconception, details={"ratio": best / baseline})

    return over_cases(check, ctx, one)


def _wrong_answer(check: Check, ctx: Context, case: Case, message: str) -> CaseFailure:
    """A wrong answer earns nothing here; when an earlier check's failure explains it, it says so."""
    cause = knock_on(check, ctx)
    if cause is None:
        return CaseFailure("failed", f"{prefix(case)}{message}: {NEEDS_CORRECTNESS}")
    knocked = f"{NEEDS_CORRECTNESS} (a knock-on of {cause.id} failing: fix that first)"
    return CaseFailure("failed", f"{prefix(case)}{message}: {knocked}", details={"knock_on": cause.id})


def _trusted_run(trusted: Any, probe: Probe, case: Case, repeat: int) -> tuple[Any, float]:
    """The trusted module's answer, and its best CPU time for the call over `repeat` runs, in the grader.

    The cycle collector is paused meanwhile: the grader's own heap is much larger than a worker's,
    and collecting it would be charged to the call.
    """
    best = float("inf")
    answer = None
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.thread_time()
            answer = run_trusted(trusted, probe, case.inputs)["answer"]
            best = min(best, time.thread_time() - started)
    finally:
        if collecting:
            gc.enable()
    return answer, best


def _over(measured: Resource, used: float, baseline: float, ratio: float) -> str:
    if measured.metric == "memory":
        allowed = ratio * baseline + measured.overhead
        return (
            f"the call used {_bytes(used)} of memory, more than the {_bytes(allowed)} allowed: {ratio:g} × "
            f"{_bytes(baseline)} ({measured.basis}) + {_bytes(measured.overhead)} for the call itself"
        )
    return (
        f"the call took {used * 1000:.3g} ms of CPU, {used / max(baseline, 1e-9):.1f}× the "
        f"{measured.basis} of {baseline * 1000:.3g} ms (allowed: {ratio:g}×)"
    )


def _bytes(value: float) -> str:
    return format_size(int(value))
