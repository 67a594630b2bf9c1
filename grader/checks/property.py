"""`property`: plain observations from the submission, judged by a predicate in the grader.

Examples: a topological order's validity, a 100,000-deep graph, how often `f` was
evaluated, how many checkpointing caches were alive at once.
"""

from __future__ import annotations

from grader.checks.base import CaseFailure, Context, Outcome, ask, over_cases, prefix
from grader.probes.base import Case
from grader.rubric import Check


def judge(check: Check, ctx: Context) -> Outcome:
    probe = ctx.probe(check)
    assert probe.judge is not None, f"probe {check.probe} has no judge"

    def one(case: Case, deadline: float) -> CaseFailure | None:
        observed = ask(ctx, check, case, deadline)
        try:
            verdict = probe.judge(case.inputs, observed)  # type: ignore[misc]
        except (KeyError, IndexError, TypeError, ValueError):
            # Only a submission that tampered with the probe in its own process gets here.
            return CaseFailure("error", prefix(case) + "the submission's process sent malformed observations")
        if verdict.passed:
            return None
        return CaseFailure(
            "failed", prefix(case) + (verdict.message or "property violated"), verdict.misconception
        )

    return over_cases(check, ctx, one)
