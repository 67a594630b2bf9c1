"""grades.csv for the TA, canvas.csv for Canvas's gradebook import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.batch.gradebook import Gradebook, Roster
from grader.errors import UsageError
from tests.batch.rowsfor import RUBRICS, error_row, graded_row

ROSTER = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,exercise11 (4242),Final Score
    Points Possible,,,,,12,
"Lee, Ann",101,S101,ann,A,,
"Bo, Ben",102,S102,bbo,A,,
"Cy, Cy",103,S103,cy,B,,
"""


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def book(*rows: dict[str, object], students: list[str] | None = None) -> Gradebook:
    gradebook = Gradebook(students or [str(r["student"]) for r in rows], RUBRICS)
    for row in rows:
        gradebook.add(row)
    return gradebook


def test_grades_csv_has_a_column_per_exercise_a_total_and_notes() -> None:
    grades = book(
        graded_row("ann", 10.5),
        error_row("=cmd|' /C calc'!A0", "exercise11.py has a syntax error at line 1"),
        error_row("empty", "no exerciseNN.py or .ipynb file in this folder", submission=""),
    )
    assert table(grades.grades_csv()) == [
        ["student", "exercise11", "total", "max", "notes"],
        ["ann", "10.5", "10.5", "12", ""],
        ["'=cmd|' /C calc'!A0", "0", "0", "12", "exercise11.py has a syntax error at line 1"],
        ["empty", "", "0", "12", "no exerciseNN.py or .ipynb file in this folder"],
    ]


def test_canvas_csv_follows_the_roster_and_its_existing_column(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER)
    roster = Roster.load(tmp_path / "roster.csv")
    text, unmatched = book(
        graded_row("ann", 12.0), graded_row("S102", 4.0), graded_row("zed", 1.0)
    ).canvas_csv(roster)
    assert unmatched == ["zed"]
    assert table(text) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "exercise11 (4242)"],
        ["Points Possible", "", "", "", "", "12"],
        ["Lee, Ann", "101", "S101", "ann", "A", "12"],
        ["Bo, Ben", "102", "S102", "bbo", "A", "4"],
        ["Cy, Cy", "103", "S103", "cy", "B", ""],
    ]


def test_a_roster_without_the_canvas_columns_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("name,email\nann,ann@example.org\n")
    with pytest.raises(
        UsageError, match=r"lacks the column\(s\) Student, ID, SIS User ID, SIS Login ID, Section"
    ):
        Roster.load(tmp_path / "roster.csv")


def test_grades_csv_says_which_file_counts_when_a_folder_held_both_forms() -> None:
    choice = "exercise11.ipynb is graded: exercise11.py is the untouched starter"
    grades = book({**graded_row("ann", 9.0), "submission": "exercise11.ipynb", "file_choice": choice})
    assert table(grades.grades_csv())[1] == ["ann", "9", "9", "12", choice]
