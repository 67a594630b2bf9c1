"""PrairieLearn external-grader results: score in 0–1 and one test per check.

PrairieLearn shows every test to the student, so hidden checks show their title and
points only. Student text is inert and bounded as in every output: why a submission
could not be run is one line per submission, each test's message one line, the
prints fenced (`grader.visibility`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from grader import visibility
from grader.result import CheckResult, Result
from grader.text import message_line


def dumps(results: Sequence[Result]) -> str:
    """The results.json PrairieLearn reads back from an external grader (one or several exercises)."""
    score, max_score = sum(r.score for r in results), sum(r.max_score for r in results)
    problems = [message_line(r.message) for r in results if r.message]
    shown = [visibility.printed(r) for r in results if visibility.stdout_shown(r)]
    document = {
        "gradable": True,
        "score": round(score / max_score, 6) if max_score else 0.0,
        "message": "\n".join(problems) or f"{score:g} / {max_score:g} points",
        "output": "\n\n".join(shown),
        "tests": [_test(r, check) for r in results for check in r.checks],
    }
    return json.dumps(document, indent=2) + "\n"


def _test(result: Result, check: CheckResult) -> dict[str, Any]:
    titles = result.misconception_titles
    return {
        "name": check.title,
        "description": f"{result.exercise}: {check.id}",
        "points": round(check.points, 6),
        "max_points": check.max_points,
        "message": visibility.message(result, check),
        "output": "" if visibility.withheld(result, check) else visibility.advice(check, titles),
    }
