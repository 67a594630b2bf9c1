"""What every check kind shares: the grading context and turning replies into verdicts.

Every answer from the worker is validated against what the case requires before it is
judged; a reply that no probe produces is a forged answer (an integrity finding, and that
case earns nothing). Cases that never ran earn nothing, and any unexpected problem while
judging becomes that check's `error`, never a crash of the grader.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.answers import Malformed, Spec
from grader.checks.compare import NotJudgeable, near_miss
from grader.probes.base import Case, Probe
from grader.result import CheckResult, CheckStatus, Failure, Finding
from grader.rubric import Check, Rubric
from grader.rules import TAMPER
from grader.sandbox.meter import Unmeasurable
from grader.settings import Settings, for_check
from grader.text import MESSAGE_CHARS, clip
from grader.truth import Raised, Truth, outcome_of

if TYPE_CHECKING:
    from grader.sandbox.supervisor import Reply, Worker

NOT_AVAILABLE = "runs on the course autograder (the reference solutions are not available here)"
#: How a check that the grader itself failed to judge begins its message.
INTERNAL = "the grader could not judge this check"
FORGED = "the submission's process sent an answer that no probe produces"
OUT_OF_TIME = "not run: the submission used up its time for grading"


@dataclass
class Context:
    """Everything a check needs; built once per submission by `grader.api`."""

    rubric: Rubric
    settings: Settings
    filename: str
    probes: Any
    worker: Worker
    names: frozenset[str]
    truth: Truth = field(default_factory=Truth)
    variants: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    integrity: list[Finding] = field(default_factory=list)
    #: Monotonic time by which everything of this submission must be over (all worker restarts included).
    cap: float = float("inf")
    #: The results of the checks run so far, by id (a later check may be a knock-on of one of them).
    done: dict[str, CheckResult] = field(default_factory=dict)

    def probe(self, check: Check) -> Probe:
        return getattr(self.probes, check.probe or "")

    def settings_for(self, check: Check) -> Settings:
        return for_check(self.settings, check.overrides)


class CheckFailed(Exception):
    """Ends a check (or a case) early with a status and a message for the student."""

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
class Judgement:
    """A check's verdict before points and bookkeeping are attached."""

    status: CheckStatus
    fraction: float = 0.0
    message: str | None = None
    misconception: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: Each distinct failure of the check's cases (see `over_cases`).
    failures: list[Failure] = field(default_factory=list)


def run_timed(check: Check, ctx: Context, judge: Callable[[Check, Context], Judgement]) -> CheckResult:
    """Run `judge`, turn early exits and the grader's own failures into outcomes, attach points and hint."""
    started = time.perf_counter()
    try:
        outcome = (
            Judgement("timeout", message=OUT_OF_TIME) if time.monotonic() >= ctx.cap else judge(check, ctx)
        )
    except CheckFailed as stop:
        outcome = Judgement(
            stop.status, message=stop.message, misconception=stop.misconception, details=stop.details
        )
    except Exception as exc:  # a grader bug costs this check, never the submission's other results
        outcome = Judgement(
            "error", message=f"{INTERNAL} ({type(exc).__name__}: {clip(str(exc), 300)})",
            details={"internal": traceback.format_exc()},
        )  # fmt: skip
    failed = outcome.status not in ("passed", "skipped")
    hint = check.hint if failed else None
    if outcome.misconception and outcome.misconception in ctx.rubric.misconceptions:
        hint = ctx.rubric.misconceptions[outcome.misconception].hint
    ctx.done[check.id] = result = CheckResult(
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
        details={**outcome.details, "about": about(check, ctx)}
        if failed and check.probe
        else outcome.details,
        failures=outcome.failures,
    )
    return result


def about(check: Check, ctx: Context) -> list[str]:
    """The names a failing check is about, for a report to quote the student's code: the one its id
    starts with (``mlp_backward.gradcheck``), else every name its probe requires."""
    requires = list(ctx.probe(check).requires)
    named = check.id.partition(".")[0]
    return [named] if named in requires else requires


#: Checks that judge whether functions are right (a wrong answer elsewhere may follow from theirs).
CORRECTNESS_KINDS = ("gradcheck", "reference")


def knock_on(check: Check, ctx: Context) -> Check | None:
    """The earlier check whose failure explains a wrong answer of `check`, if one failed.

    It judges the correctness of functions `check`'s probe calls (its probe requires no name this
    one does not: softmax_backward.gradcheck for a memory check of softmax_backward), and the student
    may see that it failed (it is visible, or `check` is not).
    """
    calls = set(ctx.probe(check).requires)
    for other in ctx.rubric.checks:
        result = ctx.done.get(other.id)
        if other.id == check.id or result is None or result.status in ("passed", "skipped"):
            continue
        shown = other.visibility == "visible" or check.visibility != "visible"
        if shown and other.kind in CORRECTNESS_KINDS and set(ctx.probe(other).requires) <= calls:
            return other
    return None


def require_names(probe: Probe, ctx: Context) -> None:
    missing = [name for name in probe.requires if name not in ctx.names]
    if missing:
        raise CheckFailed("error", f"{ctx.filename} does not define {', '.join(missing)}")


def ask(
    ctx: Context,
    check: Check,
    case: Case,
    deadline: float,
    spec: Spec,
    extra: dict[str, Any] | None = None,
) -> Any:
    """Run the check's probe on the submission and return its answer, validated against `spec`."""
    return validated(ctx, check, case, spec, reply_for(ctx, check, case, deadline, extra).value)


def reply_for(
    ctx: Context,
    check: Check,
    case: Case,
    deadline: float,
    extra: dict[str, Any] | None = None,
    measure: bool = False,
) -> Reply:
    """The worker's successful reply to the check's probe on `case`.

    Anything else ends the case: a timeout, a crash, or an exception (named when the probe
    says what it means, e.g. a RecursionError is a recursive walk).
    """
    probe = ctx.probe(check)
    remaining = max(deadline - time.monotonic(), 0.01)  # `deadline_for` keeps it within the cap
    inputs = {**case.inputs, **(extra or {})}
    name = f"{ctx.probes.__name__}.{check.probe}"
    where = prefix(case)
    try:
        reply = ctx.worker.call(name, inputs, timeout=remaining, cap=ctx.cap, measure=measure)
    except Unmeasurable as exc:  # the platform can measure (checked before): the worker hid itself
        raise CheckFailed("failed", f"{where}{exc}") from None
    if reply.status == "ok":
        return reply
    error = reply.error
    assert error is not None, "a reply that is not ok says why"
    if reply.status == "timeout":  # `where` is what was running, from the grader's copy of the source
        limit = ctx.settings_for(check).timeout
        running = error.running("an infinite loop?")
        details = {"traceback": error.traceback} if error.traceback else None
        raise CheckFailed("timeout", f"{where}did not finish within {limit:g} s ({running})", details)
    if reply.status == "crashed":
        raise CheckFailed("error", f"{where}the submission's process died: {error.message}")
    named = probe.raises.get(error.type)
    if named is not None:
        raise CheckFailed("failed", where + (named.message or error.type), misconception=named.misconception)
    misconception = raised_misconception(ctx, check, Case(case.label, inputs), error)
    details = {"traceback": error.traceback}
    raise CheckFailed("error", where + describe_error(error), details, misconception)


def validated(ctx: Context, check: Check, case: Case, spec: Spec, answer: Any) -> Any:
    """`answer` in canonical form, or the case ends as a forged answer (and the TA is told)."""
    try:
        return spec.check(answer, "the answer")
    except Malformed as exc:
        detail = clip(str(exc), 300)
        ctx.integrity.append(Finding(TAMPER, f"{check.id}, {case.label}: {FORGED} ({detail})"))
        raise CheckFailed("error", f"{prefix(case)}{FORGED}: {detail}") from None


def describe_error(error: Any) -> str:
    """One line a student can act on for an exception raised in their code."""
    if error.type == "NotImplementedError":
        what = error.message.split(":")[0] if error.message else "this function"
        return f"{clip(what, 200)} is not implemented yet (it raises NotImplementedError)"
    if error.type == "ProbeError":
        return clip(error.message, MESSAGE_CHARS)
    line = f" (line {error.line})" if error.line else ""
    return f"{clip(error.type, 200)}{line}: {clip(error.message, MESSAGE_CHARS)}"


def deadline_for(check: Check, ctx: Context) -> float:
    return min(time.monotonic() + ctx.settings_for(check).timeout, ctx.cap)


def raised_misconception(ctx: Context, check: Check, case: Case, error: Any) -> str | None:
    """The first of the check's misconceptions whose variant raises the same exception."""
    for ident, outcome in _variant_outcomes(ctx, check, case):
        if isinstance(outcome, Raised) and (outcome.type, outcome.message) == (error.type, error.message):
            return ident
    return None


def matching_misconception(
    ctx: Context, check: Check, case: Case, got: Any, same: Callable[[Any, Any], bool]
) -> str | None:
    """The first of the check's misconceptions whose variant produces what the student did."""
    for ident, outcome in _variant_outcomes(ctx, check, case):
        if not isinstance(outcome, Raised) and same(got, outcome):
            return ident
    return None


def _variant_outcomes(ctx: Context, check: Check, case: Case) -> Iterator[tuple[str, Any]]:
    """Each listed misconception's id with what its variant returns on `case`, or a `Raised`.

    Without the reference (the student kit) there are no variants: what the course knows of each
    mistake on a public case stands in for them (`Truth.mistake`); a mistake it does not know is
    passed over, as one without a variant is on the course autograder.
    """
    probe = ctx.probe(check)
    for ident in check.misconceptions:
        variant = ctx.variants.get(ident)
        if variant is not None:
            yield ident, outcome_of(variant, probe, case.inputs)
        elif ctx.truth.reference is None and (known := ctx.truth.mistake(check, case, ident)) is not None:
            yield ident, known


@dataclass
class CaseFailure:
    status: CheckStatus
    message: str
    misconception: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def over_cases(check: Check, ctx: Context, one: Callable[[Case, float], CaseFailure | None]) -> Judgement:
    """Grade each case (partial credit per case); report the first failure, how many failed, and each
    distinct failure once (`distinct`).

    Only cases that ran and passed earn credit: after a timeout, or once the submission's time
    is up, the remaining cases are not run and earn nothing.
    """
    probe = ctx.probe(check)
    require_names(probe, ctx)
    deadline = deadline_for(check, ctx)
    cases = probe.cases(check.seed, check.cases)
    failures: list[tuple[Case, CaseFailure]] = []
    passed = 0
    for case in cases:
        if time.monotonic() >= ctx.cap:
            failures.append((case, CaseFailure("timeout", OUT_OF_TIME)))
            break
        try:
            failure = one(case, deadline)
        except CheckFailed as stop:
            failure = CaseFailure(stop.status, stop.message, stop.misconception, stop.details)
        except NotJudgeable as exc:
            failure = CaseFailure(
                "error", f"{prefix(case)}{INTERNAL}: {exc} (the check's inputs need fixing)"
            )
        if failure is None:
            passed += 1
            continue
        failure.message += near_miss_note(ctx, check, failure)
        failures.append((case, failure))
        if failure.status == "timeout":
            break
    if not failures:
        return Judgement("passed", 1.0)
    first_case, first = failures[0]
    message = first.message
    if len(cases) > 1 and first.status != "timeout":
        labels = ", ".join(case.label for case, _ in failures[:6])
        more = ", ..." if len(failures) > 6 else ""
        message += f" [{len(failures)} of {len(cases)} cases failed: {labels}{more}]"
    misconception = next((f.misconception for _, f in failures if f.misconception), None)
    details = {"case": first_case.label, **first.details}
    return Judgement(first.status, passed / len(cases), message, misconception, details, distinct(failures))


def near_miss_note(ctx: Context, check: Check, failure: CaseFailure) -> str:
    """For a wrong answer close to the correct one that a classic mistake explains, the mistake's title
    (the hint comes with it): a small error reads as rounding unless the message says where it comes from."""
    known = ctx.rubric.misconceptions.get(failure.misconception or "")
    if known is None or "expected" not in failure.details or "got" not in failure.details:
        return ""
    error = near_miss(failure.details["got"], failure.details["expected"], ctx.settings_for(check))
    if error is None:
        return ""
    close = f"the values are close (within {100 * error:.2g}%) but off"
    return f"; {close}: they match the classic mistake “{known.title}”"


#: A number in a message (not a digit of a name such as dW2): what differs between cases of one cause.
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)


def distinct(failures: list[tuple[Case, CaseFailure]]) -> list[Failure]:
    """One Failure per cause, in the order the causes first failed, with every case it covers.

    Two cases fail for the same cause when they name the same misconception, or else when they
    have the same status and the same message once the case's name and its numbers (values,
    indices, counts, line numbers) are set aside: "dW2 is off ... at [0, 2]" in one case and
    "... at [1, 0]" in another are one bug, a None from tanh and an UnboundLocalError in exp are two.
    """
    groups: dict[tuple[str, ...], Failure] = {}
    for case, failure in failures:
        if failure.misconception:
            cause: tuple[str, ...] = (failure.status, "misconception", failure.misconception)
        else:
            text = failure.message.removeprefix(prefix(case))
            cause = (failure.status, "message", _NUMBER.sub("#", text))
        group = groups.setdefault(cause, Failure([], failure.message, failure.misconception))
        group.cases.append(case.label)
    return list(groups.values())


def prefix(case: Case) -> str:
    """How a message names the case it is about (named cases only, e.g. an operator)."""
    return "" if case.label.startswith("case ") else f"{case.label}: "
