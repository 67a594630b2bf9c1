"""`resource`: memory or time of the submission relative to the reference, measured in the same run.

The probe returns `{"metric": name, "value": number, "unit": unit}`; the same probe runs
on the reference in the grader, so the ratio compares like with like on this machine.
"""

from __future__ import annotations

from typing import Any

from grader.checks.base import (
    NOT_AVAILABLE,
    CaseFailure,
    Context,
    Outcome,
    ask,
    expected_on,
    matching_misconception,
    over_cases,
)
from grader.probes.base import Case
from grader.rubric import Check


def judge(check: Check, ctx: Context) -> Outcome:
    if ctx.reference is None:
        return Outcome("skipped", message=NOT_AVAILABLE)
    probe = ctx.probe(check)

    def one(case: Case, deadline: float) -> CaseFailure | None:
        got = ask(ctx, check, case, deadline)
        baseline = expected_on(ctx.reference, probe, case)
        ratio = _ratio(got, baseline)
        if ratio <= check.max_ratio:
            return None
        message = (
            f"{got['metric']} was {_amount(got['value'], got['unit'])}, {ratio:.1f}x the reference's "
            f"{_amount(baseline['value'], baseline['unit'])} (allowed: {check.max_ratio:g}x)"
        )
        # A wrong variant "matches" when it blows the same budget: its mistake explains the cost.
        misconception = matching_misconception(
            ctx, check, case, got, lambda _, wrong: _ratio(wrong, baseline) > check.max_ratio
        )
        return CaseFailure("failed", message, misconception, details={"ratio": ratio})

    return over_cases(check, ctx, one)


def _ratio(got: dict[str, Any], baseline: dict[str, Any]) -> float:
    return float(got["value"]) / max(float(baseline["value"]), 1e-12)


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        for scale, name in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
            if value >= scale:
                return f"{value / scale:.1f} {name}"
        return f"{value:.0f} bytes"
    return f"{value:.3g} {unit}"
