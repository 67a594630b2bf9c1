"""Journal rows made by hand, for the gradebook and summary tests."""

from __future__ import annotations

from typing import Any

from grader.course import find_course
from grader.rubric import Rubric, load

RUBRIC = load(find_course() / "rubrics" / "exercise11.yaml")
RUBRICS: dict[str, Rubric] = {"exercise11": RUBRIC}


def graded_row(
    student: str,
    score: float,
    failing: dict[str, str | None] | None = None,
    integrity: list[dict[str, str]] | None = None,
    duration_s: float = 1.0,
) -> dict[str, Any]:
    """A row of exercise 11 where the checks in `failing` failed, each with its misconception."""
    failing = failing or {}
    checks = [
        {
            "id": check.id,
            "title": check.title,
            "status": "failed" if check.id in failing else "passed",
            "misconception": failing.get(check.id),
        }
        for check in RUBRIC.checks
    ]
    return {
        "student": student,
        "submission": "exercise11.py",
        "exercise": "exercise11",
        "sha256": "0" * 64,
        "score": score,
        "max_score": RUBRIC.max_score,
        "status": "graded",
        "duration_s": duration_s,
        "message": None,
        "checks": checks,
        "integrity": integrity or [],
    }


def error_row(student: str, message: str, submission: str = "exercise11.py") -> dict[str, Any]:
    return {
        **graded_row(student, 0.0),
        "submission": submission,
        "exercise": "exercise11" if submission else "",
        "status": "error",
        "message": message,
        "checks": [],
    }
