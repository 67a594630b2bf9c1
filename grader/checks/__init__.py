"""Check kinds: each module's `judge(check, ctx)` decides one rubric check."""

from __future__ import annotations

from grader.checks import gradcheck, properties, reference, resource, static
from grader.checks.base import NOT_AVAILABLE, Context, Judgement, run_timed
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
    """Grade one check of the rubric against the submission (a withheld one is skipped: its inputs
    are the course's, see `grader.rubric`)."""
    return run_timed(check, ctx, _withheld if check.withheld else JUDGES[check.kind])


def _withheld(check: Check, ctx: Context) -> Judgement:
    return Judgement("skipped", message=NOT_AVAILABLE)
