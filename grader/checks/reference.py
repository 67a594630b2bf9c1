"""`reference`: the submission's outputs against the reference solution on seeded inputs."""

from __future__ import annotations

from typing import Any

from grader.answers import like
from grader.checks.base import (
    NOT_AVAILABLE,
    CaseFailure,
    Context,
    Judgement,
    ask,
    matching_misconception,
    over_cases,
    prefix,
)  # fmt: skip
from grader.checks.compare import compare, matches
from grader.probes.base import Case
from grader.rubric import Check


def judge(check: Check, ctx: Context) -> Judgement:
    if ctx.truth.reference is None:
        return Judgement("skipped", message=NOT_AVAILABLE)
    tol = ctx.settings_for(check)
    probe = ctx.probe(check)

    def one(case: Case, deadline: float) -> CaseFailure | None:
        expected = ctx.truth.value(check, probe, case)
        got = ask(ctx, check, case, deadline, like(expected))
        mismatch = compare(got, expected, tol)
        if mismatch is None:
            return None
        misconception = matching_misconception(ctx, check, case, got, lambda g, wrong: matches(g, wrong, tol))
        details = {
            "name": mismatch.name,
            "expected": mismatch.expected,
            "got": mismatch.got,
            **_graph(expected, got),
        }
        return CaseFailure("failed", prefix(case) + mismatch.message, misconception, details)

    return over_cases(check, ctx, one)


def _graph(expected: Any, got: Any) -> dict[str, Any]:
    """A probe that returns a computation graph with its grads gets it drawn in the report."""
    if not (isinstance(expected, dict) and "graph" in expected and isinstance(got, dict)):
        return {}
    return {"graph": {**expected["graph"], "expected": expected["grads"], "got": got.get("grads", {})}}
