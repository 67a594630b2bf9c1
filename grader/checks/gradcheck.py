"""`gradcheck`: the submission's gradients against float64 central differences of its own function.

Needs no reference, so a student can find every gradient bug locally. Fast mode first
compares directional derivatives along a few random unit directions (like torch's
fast_mode); only a failing parameter is then checked coordinate by coordinate, to say
exactly which entry is wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks.base import CaseFailure, Context, Outcome, ask, matching_misconception, over_cases, prefix
from grader.checks.compare import compare_arrays
from grader.probes.base import PERTURB, Case, directions
from grader.rubric import Check
from grader.settings import Settings

DIRECTIONS = 2


def judge(check: Check, ctx: Context) -> Outcome:
    tol = ctx.settings_for(check)

    def one(case: Case, deadline: float) -> CaseFailure | None:
        request = {"eps": tol.eps, "seed": check.seed, "count": DIRECTIONS if check.fast else 0}
        if not check.fast:
            request["full"] = True
        answer = ask(ctx, check, case, deadline, {PERTURB: request})
        wrong_shape = _structural(answer, case)
        if wrong_shape:
            wrong_shape.misconception = _misconception(ctx, check, case, answer, tol)
            return wrong_shape
        suspects = _suspects(answer, check, tol)
        if not suspects:
            return None
        if check.fast:
            answer["full"] = ask(ctx, check, case, deadline, {PERTURB: {**request, "full": suspects}})["full"]
        return _localise(answer, suspects, case, tol, ctx, check)

    return over_cases(check, ctx, one)


def _structural(answer: dict[str, Any], case: Case) -> CaseFailure | None:
    """Wrong shapes are reported before any numbers are compared."""
    for name, shape in answer["shapes"].items():
        got = np.asarray(answer["grads"][name])
        if list(got.shape) != list(shape):
            mismatch = compare_arrays(got, np.zeros(shape), Settings(), answer["labels"][name])
            assert mismatch is not None
            return CaseFailure("failed", prefix(case) + mismatch.message)
    return None


def _suspects(answer: dict[str, Any], check: Check, tol: Settings) -> list[str]:
    """Parameters whose directional derivatives disagree with the finite differences."""
    if not check.fast:
        return list(answer["shapes"])
    bad = []
    for name, pairs in answer["directional"].items():
        grad = np.asarray(answer["grads"][name])
        dirs = directions(check.seed, name, grad.shape, len(pairs))
        for (plus, minus), d in zip(pairs, dirs, strict=True):
            numeric = (plus - minus) / (2 * tol.eps)
            analytic = float(np.sum(grad * d))
            if not abs(analytic - numeric) <= tol.atol + tol.rtol * abs(numeric):
                bad.append(name)
                break
    return bad


def _localise(
    answer: dict[str, Any], names: list[str], case: Case, tol: Settings, ctx: Context, check: Check
) -> CaseFailure | None:
    """Coordinate-wise comparison of the suspect parameters; names the worst entry."""
    for name in names:
        grad = np.asarray(answer["grads"][name])
        full = answer["full"][name]
        numeric = ((np.asarray(full["plus"]) - np.asarray(full["minus"])) / (2 * tol.eps)).reshape(grad.shape)
        mismatch = compare_arrays(grad, numeric, tol, answer["labels"][name])
        if mismatch is None:
            continue
        details = {"name": mismatch.name, "expected": numeric, "got": grad}
        misconception = _misconception(ctx, check, case, answer, tol)
        return CaseFailure("failed", prefix(case) + mismatch.message, misconception, details)
    return None


def _misconception(
    ctx: Context, check: Check, case: Case, answer: dict[str, Any], tol: Settings
) -> str | None:
    return matching_misconception(
        ctx, check, case, answer["grads"], lambda got, wrong: _same_grads(got, wrong["grads"], tol)
    )


def _same_grads(got: dict[str, Any], wrong: dict[str, Any], tol: Settings) -> bool:
    return all(
        name in got and compare_arrays(got[name], value, tol, name) is None for name, value in wrong.items()
    )
