"""Check kinds: each module's `judge(check, ctx)` decides one rubric check."""

from __future__ import annotations

from grader.checks import gradcheck, properties, reference, resource, static
from grader.checks.base import Context, run_timed
from grader.result import CheckResult
from grader.rubric import Check

JUDGES = {
    "gradcheck": gradcheck.judge,
    "reference": reference.judge,
    "property": properties.judge,
    "resource": resource.judge,
    "static": static.judge,
}


def run(check: Check, ctx: Context) -> CheckResult:
    """Grade one check of the rubric against the submission."""
    return run_timed(check, ctx, JUDGES[check.kind])
