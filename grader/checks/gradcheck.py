"""`gradcheck`: the submission's gradient against central differences of the correct function.

The worker only computes the submission's analytic gradient at the check point (and, when
the function is the submission's own, its value there). The numerical gradient comes from
the grader: of the reference, or the course's shipped values of it (`grader.truth`), so a
constant forward with a zero backward — consistent, and wrong — earns nothing. Where no
correct values exist for a case (a course without them), the check falls back on the
submission's own function, refuses a degenerate one (non-finite, or not changing at all),
and says that its verdict is conditional on that function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks.base import (
    CaseFailure,
    CheckFailed,
    Context,
    Judgement,
    ask,
    knock_on,
    matching_misconception,
    over_cases,
    prefix,
)
from grader.checks.compare import compare_arrays, matches
from grader.checks.flow import first_cause, nothing_reached
from grader.probes.base import PERTURB, Case, GradProblem
from grader.rubric import Check
from grader.settings import Settings

WRONG_FUNCTION = "gradient points need the correct function here, so fix that first"
FLAT = "does not change when its inputs move: checking a gradient against it proves nothing"
CONDITIONAL = (
    "checked against the numerical gradient of your own {value}: the course's correct values are not "
    "available here, so this verdict holds only if {value} is right"
)


def judge(check: Check, ctx: Context) -> Judgement:
    tol = ctx.settings_for(check)
    probe = ctx.probe(check)
    build = probe.build
    assert build is not None, f"probe {check.probe} builds no gradient problem"
    own: list[str] = []

    def one(case: Case, deadline: float) -> CaseFailure | None:
        problem = build(None, case.inputs)  # the grader's copy: shapes and labels, never run here
        truth = ctx.truth.gradient(check, probe, case, tol.eps)
        request = {"eps": tol.eps, "points": truth is None}
        answer = ask(ctx, check, case, deadline, problem.spec(truth is None), {PERTURB: request})
        if truth is None:
            own.append(problem.value)
            numeric = _own_numeric(problem, answer, case, tol)
        else:
            numeric = truth["numeric"]
        failure = _shapes(problem, answer["grads"], numeric, case, tol)
        if failure is None and truth is not None and problem.own:
            failure = _own_value(problem, answer, truth, case, tol, knock_on(check, ctx))
        if failure is None:
            failure = _gradients(problem, answer["grads"], numeric, case, tol)
        if failure is not None and failure.misconception is None and failure.status == "failed":
            failure.misconception = _misconception(ctx, check, case, answer, tol)
        return failure

    outcome = over_cases(check, ctx, one)
    if own:
        note = CONDITIONAL.format(value=own[0])
        outcome.message = f"{outcome.message} ({note})" if outcome.message else note[0].upper() + note[1:]
    return outcome


def _shapes(
    problem: GradProblem, grads: dict[str, Any], numeric: dict[str, Any], case: Case, tol: Settings
) -> CaseFailure | None:
    """Wrong shapes are reported before any numbers are compared (with whether the values are right)."""
    labelled = {problem.label(name): name for name in problem.params}
    for name in (labelled[label] for label in problem.flow.ordered(labelled)):
        if grads[name].shape != problem.params[name].shape:
            mismatch = compare_arrays(grads[name], numeric[name], tol, problem.label(name))
            assert mismatch is not None
            return CaseFailure(
                "failed", prefix(case) + mismatch.message, details={"first_wrong": mismatch.name}
            )
    return None


def _own_value(
    problem: GradProblem,
    answer: dict[str, Any],
    truth: dict[str, Any],
    case: Case,
    tol: Settings,
    cause: Check | None,
) -> CaseFailure | None:
    """The function's value, when it is the submission's own, against the correct one (and the
    earlier check that found it wrong, if one did)."""
    wrong = compare_arrays(answer["loss"], truth["loss"], tol, problem.value)
    if wrong is None:
        return None
    if cause is None:
        return CaseFailure("failed", f"{prefix(case)}{wrong.message}: {WRONG_FUNCTION}")
    message = f"{prefix(case)}{wrong.message}: {WRONG_FUNCTION} (a knock-on of {cause.id} failing)"
    return CaseFailure("failed", message, details={"knock_on": cause.id})


def _own_numeric(problem: GradProblem, answer: dict[str, Any], case: Case, tol: Settings) -> dict[str, Any]:
    """The fallback without correct values: central differences of the submission's own function,
    unless it is degenerate (then the case fails)."""
    numeric = {}
    for name, param in problem.params.items():
        plus, minus = answer["plus"][name], answer["minus"][name]
        values = np.concatenate([plus, minus, [answer["loss"]]])
        if not np.isfinite(values).all():
            what = "NaN" if np.isnan(values).any() else "infinite"
            raise CheckFailed(
                "failed", f"{prefix(case)}{problem.value} is {what} at a point of the gradient check"
            )
        numeric[name] = ((plus - minus) / (2 * tol.eps)).reshape(param.shape)
    if all(not value.any() for value in numeric.values()):
        raise CheckFailed("failed", f"{prefix(case)}{problem.value} {FLAT}")
    return numeric


def _gradients(
    problem: GradProblem, grads: dict[str, Any], numeric: dict[str, Any], case: Case, tol: Settings
) -> CaseFailure | None:
    """Every gradient against the correct one; the message starts at the first cause (see `flow`)."""
    labelled = {problem.label(name): name for name in problem.params}
    got = {label: grads[name] for label, name in labelled.items()}
    correct = {label: numeric[name] for label, name in labelled.items()}
    cause = nothing_reached(problem.flow, got, correct, tol)
    if cause is None:
        wrong = {
            label: mismatch
            for label in labelled
            if (mismatch := compare_arrays(got[label], correct[label], tol, label)) is not None
        }
        if not wrong:
            return None
        cause = first_cause(problem.flow, list(labelled), wrong, tol)
    details = {
        "name": cause.first,
        "expected": correct[cause.first],
        "got": got[cause.first],
        **cause.details,
        "tolerance": tol,
    }
    return CaseFailure("failed", prefix(case) + cause.message, details=details)


def _misconception(
    ctx: Context, check: Check, case: Case, answer: dict[str, Any], tol: Settings
) -> str | None:
    def same(got: dict[str, Any], wrong: dict[str, Any]) -> bool:
        return all(name in got and matches(got[name], value, tol) for name, value in wrong["grads"].items())

    return matching_misconception(ctx, check, case, answer["grads"], same)
