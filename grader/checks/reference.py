"""`reference`: the submission's outputs against the reference solution on seeded inputs."""

from __future__ import annotations

from collections.abc import Mapping
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
from grader.checks.compare import Mismatch, compare, matches
from grader.checks.flow import Cause, first_cause
from grader.probes.base import Case, Flow
from grader.rubric import Check
from grader.settings import Settings


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
        cause, mismatch = _first_cause(probe.flow, got, expected, mismatch, tol)
        details = {
            "name": mismatch.name,
            "expected": mismatch.expected,
            "got": mismatch.got,
            **cause.details,
            **_graph(expected, got),
            "tolerance": tol,
        }
        return CaseFailure("failed", prefix(case) + _on_graph(cause, expected), misconception, details)

    return over_cases(check, ctx, one)


def _first_cause(
    flow: Flow, got: Any, expected: Any, mismatch: Mismatch, tol: Settings
) -> tuple[Cause, Mismatch]:
    """The cause to report and its mismatch: the first in data-flow order when the answer is a mapping
    of gradients with a flow, and whole; otherwise the first mismatch in the answer's own order."""
    whole = isinstance(expected, Mapping) and isinstance(got, Mapping) and got.keys() == expected.keys()
    if not (flow.order and whole):
        return Cause(mismatch.name, mismatch.message), mismatch
    wrong = {
        key: found for key in expected if (found := compare(got[key], expected[key], tol, key)) is not None
    }
    cause = first_cause(flow, list(expected), wrong, tol)
    return cause, wrong[cause.first]


def _on_graph(cause: Cause, expected: Any) -> str:
    """On a drawn graph, the first wrong gradient from the loss backwards is where the error starts."""
    if not (isinstance(expected, dict) and "graph" in expected and cause.first):
        return cause.message
    return (
        f"the first wrong gradient going back from the loss is {cause.first}: {cause.message}; "
        "every gradient further from the loss inherits the error"
    )


def _graph(expected: Any, got: Any) -> dict[str, Any]:
    """A probe that returns a computation graph with its grads gets it drawn in the report."""
    if not (isinstance(expected, dict) and "graph" in expected and isinstance(got, dict)):
        return {}
    return {"graph": {**expected["graph"], "expected": expected["grads"], "got": got.get("grads", {})}}
