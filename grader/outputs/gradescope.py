"""Gradescope's `results.json`: one test per check, visibility taken from the rubric.

Gradescope enforces each test's visibility itself, so hidden checks keep their
messages here (TAs see them; students see them once the visibility allows). Student
text is inert and bounded as in every output: the overview is the terminal summary
and the fenced prints, each test's output the one-line message then the rubric's
advice (`grader.visibility`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader import visibility
from grader.result import CheckResult, Result
from grader.terminal import summary
from grader.text import message_line

FAILED_TEST = "Autograder failed"


def dumps(results: Sequence[Result]) -> str:
    """The results.json of one Gradescope submission (one or several exercises)."""
    return _json(
        {
            "score": round(sum(r.score for r in results), 6),
            "execution_time": round(sum(r.duration_s for r in results), 3),
            "output": "\n".join(_overview(r) for r in results),
            "output_format": "text",
            "stdout_visibility": "hidden",
            "tests": [_test(r, check, i) for r in results for i, check in enumerate(r.checks, 1)],
        }
    )


def failure(reason: str) -> str:
    """A valid results.json for when grading itself failed: score 0 and one visible test saying why."""
    reason = message_line(reason)
    test = {"name": FAILED_TEST, "score": 0.0, "max_score": 0.0, "status": "failed", "output": reason}
    return _json(
        {
            "score": 0.0,
            "output": f"{FAILED_TEST}: {reason}",
            "output_format": "text",
            "stdout_visibility": "hidden",
            "tests": [{**test, "output_format": "text", "visibility": "visible"}],
        }
    )


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


def _overview(result: Result) -> str:
    text = summary(result, printed=0)
    if visibility.stdout_shown(result):
        text += f"\n{visibility.printed(result)}\n"
    return text


def _test(result: Result, check: CheckResult, number: int) -> dict[str, Any]:
    return {
        "name": check.title,
        "number": f"{int(result.exercise.removeprefix('exercise'))}.{number}",
        "score": round(check.points, 6),
        "max_score": check.max_points,
        "status": "passed" if check.status == "passed" else "failed",
        "output": visibility.describe(check, result.misconception_titles),
        "output_format": "text",
        "visibility": check.visibility,
    }
