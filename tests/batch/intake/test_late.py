"""The LMS's late flag reaches grades.csv (a column, only for an export) and not a plain class's."""

from __future__ import annotations

import csv
import io
from typing import Any

from grader.batch.gradebook import Gradebook
from grader.rubric import load
from tests.batch.classes import ROOT


def row(student: str, lms: dict[str, Any] | None) -> dict[str, Any]:
    base = {
        "student": student,
        "exercise": "exercise11",
        "score": 12.0,
        "status": "graded",
        "submission": "x",
    }
    return base | ({"lms": lms} if lms is not None else {})


def table(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    book = Gradebook([r["student"] for r in rows], {"exercise11": load(ROOT / "rubrics" / "exercise11.yaml")})
    for r in rows:
        book.add(r)
    return list(csv.DictReader(io.StringIO(book.grades_csv())))


def test_grades_csv_has_a_late_column_for_an_export() -> None:
    lines = table([row("ann_1", {"late": True}), row("bob_2", {"late": False})])
    assert [(r["student"], r["late"]) for r in lines] == [("ann_1", "late"), ("bob_2", "")]


def test_a_plain_class_has_no_late_column() -> None:
    assert "late" not in table([row("ann", None)])[0]
