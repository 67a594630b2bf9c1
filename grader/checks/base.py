"""What every check kind shares: the grading context and turning replies into verdicts."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from grader.probes.base import Case, Probe
from grader.result import CheckResult, CheckStatus, Finding
from grader.rubric import Check, Rubric
from grader.settings import Settings, for_check

NOT_AVAILABLE = "runs on the course autograder (the reference solutions are not available here)"


class Worker(Protocol):
    def call(self, probe: str, inputs: dict[str, Any], timeout: float | None = None) -> Any: ...


@dataclass
class Context:
    """Everything a check needs; built once per submission by `grader.api`."""

    rubric: Rubric
    settings: Settings
    filename: str
    probes: Any
    worker: Worker
    names: frozenset[str]
    reference: Any = None
    variants: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    integrity: list[Finding] = field(default_factory=list)

    def probe(self, check: Check) -> Probe:
        return getattr(self.probes, check.probe or "")

    def settings_for(self, check: Check) -> Settings:
        return for_check(self.settings, check.overrides)


class CheckFailed(Exception):
    """Ends a check early with a status and a message for the student."""

    def __init__(
        self,
        status: CheckStatus,
        message: str,
        details: dict[str, Any] | None = None,
        misconception: str | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or {}
        self.misconception = misconception


@dataclass
class Outcome:
    """A check's verdict before points and bookkeeping are attached."""

    status: CheckStatus
    fraction: float = 0.0
    message: str | None = None
    misconception: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def run_timed(check: Check, ctx: Context, judge: Callable[[Check, Context], Outcome]) -> CheckResult:
    """Run `judge`, turn early exits into outcomes, and attach points, hint and timing."""
    started = time.perf_counter()
    try:
        outcome = judge(check, ctx)
    except CheckFailed as stop:
        outcome = Outcome(
            stop.status, message=stop.message, misconception=stop.misconception, details=stop.details
        )
    hint = check.hint if outcome.status not in ("passed", "skipped") else None
    if outcome.misconception and outcome.misconception in ctx.rubric.misconceptions:
        hint = ctx.rubric.misconceptions[outcome.misconception].hint
    return CheckResult(
        id=check.id,
        title=check.title,
        status=outcome.status,
        points=check.points * (outcome.fraction if outcome.status != "skipped" else 0.0),
        max_points=check.points,
        visibility=check.visibility,
        message=outcome.message,
        hint=hint,
        misconception=outcome.misconception,
        duration_s=time.perf_counter() - started,
        details=outcome.details,
    )


def require_names(probe: Probe, ctx: Context) -> None:
    missing = [name for name in probe.requires if name not in ctx.names]
    if missing:
        raise CheckFailed("error", f"{ctx.filename} does not define {', '.join(missing)}")


def ask(ctx: Context, check: Check, case: Case, deadline: float, extra: dict[str, Any] | None = None) -> Any:
    """Run the check's probe on the submission; a non-answer ends the check."""
    remaining = max(deadline - time.monotonic(), 0.01)
    inputs = {**case.inputs, **(extra or {})}
    reply = ctx.worker.call(f"{ctx.probes.__name__}.{check.probe}", inputs, timeout=remaining)
    if reply.status == "ok":
        return reply.value
    where = prefix(case)
    if reply.status == "timeout":
        limit = ctx.settings_for(check).timeout
        raise CheckFailed("timeout", f"{where}did not finish within {limit:g} s (an infinite loop?)")
    if reply.status == "crashed":
        raise CheckFailed("error", f"{where}the submission's process died: {reply.error.message}")
    misconception = raised_misconception(ctx, check, Case(case.label, inputs), reply.error)
    details = {"traceback": reply.error.traceback}
    raise CheckFailed("error", where + describe_error(reply.error), details, misconception)


def describe_error(error: Any) -> str:
    """One line a student can act on for an exception raised in their code."""
    if error.type == "NotImplementedError":
        what = error.message.split(":")[0] if error.message else "this function"
        return f"{what} is not implemented yet (it raises NotImplementedError)"
    if error.type == "ProbeError":
        return error.message
    line = f" (line {error.line})" if error.line else ""
    return f"{error.type}{line}: {error.message}"


def deadline_for(check: Check, ctx: Context) -> float:
    return time.monotonic() + ctx.settings_for(check).timeout


def expected_on(module: Any, probe: Probe, case: Case) -> Any:
    """Run a probe on trusted code (the reference or a variant) in the grader."""
    from grader.sandbox.protocol import decode, encode, plain

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return decode(encode(plain(probe(module, dict(case.inputs)))))


def raised_misconception(ctx: Context, check: Check, case: Case, error: Any) -> str | None:
    """The first of the check's misconceptions whose variant raises the same exception."""
    for ident, outcome in _variant_outcomes(ctx, check, case):
        if isinstance(outcome, Exception) and (type(outcome).__name__, str(outcome)) == (
            error.type,
            error.message,
        ):
            return ident
    return None


def matching_misconception(
    ctx: Context, check: Check, case: Case, got: Any, same: Callable[[Any, Any], bool]
) -> str | None:
    """The first of the check's misconceptions whose variant produces what the student did."""
    for ident, outcome in _variant_outcomes(ctx, check, case):
        if not isinstance(outcome, Exception) and same(got, outcome):
            return ident
    return None


def _variant_outcomes(ctx: Context, check: Check, case: Case) -> Iterator[tuple[str, Any]]:
    """Each listed misconception's id with what its variant returns on `case`, or raises."""
    probe = ctx.probe(check)
    for ident in check.misconceptions:
        variant = ctx.variants.get(ident)
        if variant is None:
            continue
        try:
            yield ident, expected_on(variant, probe, case)
        except Exception as exc:  # a variant's failure is evidence too (see raised_misconception)
            yield ident, exc


@dataclass
class CaseFailure:
    status: CheckStatus
    message: str
    misconception: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def over_cases(check: Check, ctx: Context, one: Callable[[Case, float], CaseFailure | None]) -> Outcome:
    """Grade each case (partial credit per case); report the first failure and which failed."""
    probe = ctx.probe(check)
    require_names(probe, ctx)
    deadline = deadline_for(check, ctx)
    cases = probe.cases(check.seed, check.cases)
    failures: list[tuple[Case, CaseFailure]] = []
    for case in cases:
        try:
            failure = one(case, deadline)
        except CheckFailed as stop:
            failure = CaseFailure(stop.status, stop.message, stop.misconception, stop.details)
        if failure is not None:
            failures.append((case, failure))
        if failure is not None and failure.status == "timeout":
            break
    if not failures:
        return Outcome("passed", 1.0)
    first_case, first = failures[0]
    message = first.message
    if len(cases) > 1 and first.status != "timeout":
        labels = ", ".join(case.label for case, _ in failures[:6])
        more = ", ..." if len(failures) > 6 else ""
        message += f" [{len(failures)} of {len(cases)} cases failed: {labels}{more}]"
    misconception = next((f.misconception for _, f in failures if f.misconception), None)
    return Outcome(
        first.status,
        (len(cases) - len(failures)) / len(cases) if first.status != "timeout" else 0.0,
        message,
        misconception,
        {"case": first_case.label, **first.details},
    )


def prefix(case: Case) -> str:
    """How a message names the case it is about (named cases only, e.g. an operator)."""
    return "" if case.label.startswith("case ") else f"{case.label}: "
