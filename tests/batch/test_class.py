"""`grade batch` on a mixed class: every student gets a row, bad entries never crash it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from grader.batch.discover import NO_EXERCISE_FILES
from tests.batch.classes import by_student, keys, rows
from tests.batch.conftest import GRADED, Batch

pytestmark = pytest.mark.slow

EXPECTED_KEYS = {
    *((student, "exercise11") for student in GRADED),
    ("frank_exercise11", "exercise11"),
    ("carol", ""),
    ("empty", ""),
    ("piper", "exercise11"),
    ("dirk", "exercise11"),
    ("lynn", "exercise11"),
}


def test_the_batch_completes_with_one_line_per_student_and_exercise(graded: Batch) -> None:
    assert graded.code == 0
    assert graded.stdout == (
        "11 students, 10 submissions: 6 graded now, 0 already graded, 4 could not be graded, "
        f"1 student with nothing to grade; see {graded.out / 'summary.html'}\n"
    )
    assert keys(graded.out) == dict.fromkeys(EXPECTED_KEYS, 1)
    assert {row["schema"] for row in rows(graded.out)} == {"grader.result/1"}


def test_graded_students_get_their_scores_and_misconceptions(graded: Batch) -> None:
    results = by_student(graded.out)
    assert results["alice"]["score"] == results["alice"]["max_score"] == 12.0
    assert results["frank_exercise11"]["score"] == 12.0
    misconceptions = {c["misconception"] for c in results["bob smith"]["checks"]}
    assert "forgot-divide-by-n" in misconceptions
    assert "timeout" in {c["status"] for c in results["zoë"]["checks"]}
    assert results["dora"]["submission"] == "exercise11.ipynb"
    assert results["dora"]["status"] == "graded" and results["dora"]["score"] < 12.0


@pytest.mark.parametrize(
    ("student", "message"),
    [
        ("piper", "exercise11.py is a named pipe (FIFO), not a file"),
        ("dirk", "exercise11.py is a directory, not a file"),
        ("lynn", "exercise11.py is a symbolic link; submissions must be regular files"),
        ("empty", NO_EXERCISE_FILES),
        ("carol", "cannot tell the exercise of carol.py: pass --rubric FILE or name it …exerciseNN.py"),
    ],
)
def test_bad_entries_get_an_error_row_that_says_why(graded: Batch, student: str, message: str) -> None:
    row = by_student(graded.out)[student]
    assert (row["status"], row["score"], row["message"]) == ("error", 0.0, message)


def test_stray_files_are_named_on_stderr(graded: Batch) -> None:
    assert graded.stderr == (
        "grade: ignored README.txt: not a student folder or a .py/.ipynb file\n"
        "grade: ignored zoë/notes.txt: not an exerciseNN.py or .ipynb file\n"
    )


def test_each_graded_file_has_its_report_and_json(graded: Batch) -> None:
    results = by_student(graded.out)
    for student in [*GRADED, "frank_exercise11", "piper"]:
        stem = results[student]["submission"].rsplit(".", 1)[0]
        report = graded.out / student / f"{stem}.json"
        assert json.loads(report.read_text()) == {k: v for k, v in results[student].items() if k != "student"}
        assert (graded.out / student / f"{stem}.html").read_text().startswith("<!DOCTYPE html>")
    assert not (graded.out / "empty").exists()


def test_grades_csv_has_one_row_per_student_with_notes(graded: Batch) -> None:
    table = list(csv.DictReader(io.StringIO((graded.out / "grades.csv").read_text())))
    assert [r["student"] for r in table] == sorted(s for s, _ in EXPECTED_KEYS)
    row = {r["student"]: r for r in table}
    assert (row["alice"]["exercise11"], row["alice"]["total"], row["alice"]["max"]) == ("12", "12", "12")
    assert (row["empty"]["exercise11"], row["empty"]["total"], row["empty"]["notes"]) == (
        "",
        "0",
        NO_EXERCISE_FILES,
    )
    assert row["piper"]["exercise11"] == "0"
    assert row["piper"]["notes"] == "exercise11.py is a named pipe (FIFO), not a file"


def test_summary_shows_what_the_class_got_wrong(graded: Batch) -> None:
    page = (graded.out / "summary.html").read_text()
    figures = re.findall(r'<div class="value">(\d+)</div><div class="what">([^<]+)</div>', page)
    assert figures[:6] == [
        ("11", "students"),
        ("10", "submissions"),
        ("6", "graded now"),
        ("0", "already graded"),
        ("4", "could not be graded"),
        ("1", "student with nothing to grade"),
    ]  # what the command's closing line says
    assert '<svg class="histogram"' in page
    assert "Forgot to divide by N" in page and 'href="bob%20smith/exercise11.html"' in page
    assert "mlp_backward.gradcheck" in page
    assert "exercise11.py is a directory, not a file" in page
    assert 'href="zo%C3%AB/exercise11.html"' in page  # the slow one is listed
