"""`property`: observations from the submission, judged by a predicate in the grader.

Examples: a topological order's validity against the graph the grader described, the
gradients after a backward pass on a graph whose correct gradients the grader knows, a
stable softmax against the correct one. The observation is validated against the probe's
declared structure first; a judge never takes the submission's word for anything it
cannot check against the case itself or the correct solution.
"""

from __future__ import annotations

from grader.checks.base import CaseFailure, Context, Judgement, ask, over_cases, prefix
from grader.probes.base import Case
from grader.rubric import Check


def judge(check: Check, ctx: Context) -> Judgement:
    probe = ctx.probe(check)
    judge_of, answer = probe.judge, probe.answer
    assert judge_of is not None and answer is not None, f"probe {check.probe} is no property"

    def one(case: Case, deadline: float) -> CaseFailure | None:
        expected = ctx.truth.value(check, probe, case) if probe.truth else None
        observed = ask(ctx, check, case, deadline, answer(case.inputs))
        verdict = judge_of(case.inputs, observed, expected)
        if verdict.passed:
            return None
        return CaseFailure(
            "failed", prefix(case) + (verdict.message or "property violated"), verdict.misconception
        )

    return over_cases(check, ctx, one)
