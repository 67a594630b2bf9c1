"""The LMS's files: Moodle's offline grading worksheet and the feedback folder's names."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from grader.batch.lms_out import MOODLE_COLUMNS, feedback_folder, feedback_name, moodle_worksheet


def row(
    student: str, lms: dict[str, Any], score: float, override: dict[str, Any] | None = None
) -> dict[str, Any]:
    base = {"student": student, "exercise": "exercise11", "submission": "exercise11.py", "score": score}
    return base | {"lms": lms} | ({"override": override} if override else {})


MOODLE = {"layout": "moodle", "name": "José García", "participant_id": "1234567"}
CANVAS = {"layout": "canvas", "name": "garciajose", "user_id": "1002", "submission_id": "5002"}


def test_the_moodle_worksheet_has_its_columns_and_the_overridden_grade() -> None:
    override = {"points": {"total": 11.0}, "comment": {"total": "see me"}, "stale": False, "score": 11.0}
    text = moodle_worksheet([row("garciajose_1234567", MOODLE, 4.0, override)], 12.0)
    assert text is not None
    lines = list(csv.reader(io.StringIO(text)))
    assert (
        lines[0]
        == list(MOODLE_COLUMNS)
        == ["Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments"]
    )
    assert lines[1] == ["Participant 1234567", "José García", "11", "12", "exercise11: see me"]


def test_no_moodle_student_no_worksheet() -> None:
    assert moodle_worksheet([row("garciajose_1002", CANVAS, 4.0)], 12.0) is None


def test_feedback_names_follow_each_lms() -> None:
    assert feedback_name(row("garciajose_1002", CANVAS, 4.0)) == "garciajose_1002_5002_exercise11.html"
    assert (
        feedback_name(row("garciajose_1234567", MOODLE, 4.0))
        == "José García_1234567_assignsubmission_file_/exercise11.html"
    )
    assert feedback_name(row("ann", {}, 4.0)) is None


def test_the_feedback_folder_copies_the_reports(tmp_path: Path) -> None:
    (tmp_path / "garciajose_1002").mkdir()
    (tmp_path / "garciajose_1002" / "exercise11.html").write_text("<p>report</p>")
    assert feedback_folder(tmp_path, [row("garciajose_1002", CANVAS, 4.0)]) == 1
    assert (tmp_path / "feedback" / "garciajose_1002_5002_exercise11.html").read_text() == "<p>report</p>"
