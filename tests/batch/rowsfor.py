"""Journal rows made by hand, for the gradebook and summary tests, and the summary page they make."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from grader.batch.counts import Counts
from grader.batch.discover import Ignored
from grader.batch.summary import ClassSummary
from grader.course import find_course
from grader.rubric import Rubric, load

RUBRIC = load(find_course() / "rubrics" / "exercise11.yaml")
RUBRICS: dict[str, Rubric] = {"exercise11": RUBRIC}
#: A second exercise, for a class graded on two.
RUBRIC12 = load(find_course() / "rubrics" / "exercise12.yaml")


def graded_row(
    student: str,
    score: float,
    failing: dict[str, str | None] | None = None,
    integrity: list[dict[str, str]] | None = None,
    duration_s: float = 1.0,
    rubric: Rubric = RUBRIC,
) -> dict[str, Any]:
    """A row of exercise 11 (or of `rubric`) where the checks in `failing` failed, each with its
    misconception."""
    failing = failing or {}
    checks = [
        {
            "id": check.id,
            "title": check.title,
            "status": "failed" if check.id in failing else "passed",
            "misconception": failing.get(check.id),
        }
        for check in rubric.checks
    ]
    return {
        "student": student,
        "submission": f"{rubric.exercise}.py",
        "exercise": rubric.exercise,
        "sha256": "0" * 64,
        "score": score,
        "max_score": rubric.max_score,
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


def with_status(row: dict[str, Any], status: str, *checks: str) -> dict[str, Any]:
    """`row` where the `checks` named ended with `status` ("timeout", "error"...)."""
    changed = [{**c, "status": status} if c["id"] in checks else c for c in row["checks"]]
    return {**row, "checks": changed}


def summary_page(
    *rows: dict[str, Any],
    students: list[str] | None = None,
    rubrics: Mapping[str, Rubric] = RUBRICS,
    ignored: list[Ignored] | None = None,
    now: datetime | None = None,
) -> str:
    """The summary of a class whose `rows` were all graded by this run; `students` (default: those
    of the rows) may name students without any row."""
    students = students or list(dict.fromkeys(str(r["student"]) for r in rows))
    summary, counts = ClassSummary(students, rubrics, ignored or []), Counts(len(students))
    for row in rows:
        summary.add(row)
        counts.add(row, now=True)
    return summary.render(counts, now)
