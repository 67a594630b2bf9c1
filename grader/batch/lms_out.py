"""Grades and feedback in the forms an LMS imports, for the students of its export.

- **Moodle** (`moodle.csv`): the assignment's *offline grading worksheet*, which the
  assignment's "Upload grading worksheet" reads by column heading: `Identifier`
  (`Participant <id>`, the export's per-assignment participant id; the course gradebook's
  import does not know these ids), `Full name`, `Grade` (the student's total, the TA's
  overrides applied), `Maximum Grade` and `Feedback comments` (the TA's comments).
- **Feedback folder** (`feedback/`): each student's HTML reports, named as the LMS's bulk
  feedback upload matches them to students (zip the folder's contents to upload):
  Canvas ("Upload Submissions" of feedback files): `<lastfirst>_<userid>_<submissionid>_<stem>.html`,
  the export's own prefix; Moodle ("Upload multiple feedback files in a zip"): a folder
  `<Full Name>_<participant id>_assignsubmission_file_/` holding `<stem>.html`, as the export
  names its folders.

Written only when rows carry the `lms` object of that layout; rebuilt whole on every run.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from grader.batch import overrides
from grader.batch.files import row_stem
from grader.batch.gradebook import inert_cell, points_cell
from grader.text import name_line

MOODLE = "moodle.csv"
FEEDBACK = "feedback"
MOODLE_COLUMNS = ("Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments")


def moodle_worksheet(rows: Iterable[Mapping[str, Any]], possible: float) -> str | None:
    """The offline grading worksheet of the Moodle export's students; None when there are none."""
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        lms = row.get("lms") or {}
        if lms.get("layout") != "moodle":
            continue
        person = people.setdefault(lms["participant_id"], {"name": lms["name"], "grade": 0.0, "comments": []})
        person["grade"] += overrides.counted(row)
        person["comments"] += _comments(row)
    if not people:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MOODLE_COLUMNS)
    for participant, person in sorted(people.items(), key=lambda item: int(item[0])):
        comments = "; ".join(person["comments"])
        cells = [
            f"Participant {participant}",
            person["name"],
            points_cell(person["grade"]),
            points_cell(possible),
            comments,
        ]
        writer.writerow([inert_cell(cell) for cell in cells])
    return buffer.getvalue()


def feedback_folder(out: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """OUT/feedback/ rebuilt from the students' reports (their overrides shown); the files written."""
    target, building = out / FEEDBACK, out / f".{FEEDBACK}.building"
    shutil.rmtree(building, ignore_errors=True)
    written = 0
    for row in rows:
        name = feedback_name(row)
        report = out / row["student"] / f"{row_stem(row)}.html"
        if name is None or not row["submission"] or not report.is_file():
            continue
        (building / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report, building / name)
        written += 1
    shutil.rmtree(target, ignore_errors=True)
    if written:
        os.replace(building, target)
    shutil.rmtree(building, ignore_errors=True)
    return written


def feedback_name(row: Mapping[str, Any]) -> str | None:
    """The row's report's path under feedback/, as its LMS's bulk upload expects it; None for a
    student of no such LMS."""
    lms = row.get("lms") or {}
    stem = row_stem(row)
    if lms.get("layout") == "canvas":
        return f"{_part(lms['name'])}_{lms['user_id']}_{lms['submission_id']}_{stem}.html"
    if lms.get("layout") == "moodle":
        return f"{_part(lms['name'])}_{lms['participant_id']}_assignsubmission_file_/{stem}.html"
    return None


def _comments(row: Mapping[str, Any]) -> list[str]:
    """The TA's comments on the row's exercise, when the override applies."""
    override = row.get("override")
    if not override or override["stale"]:
        return []
    return [f"{row['exercise']}: {text}" for text in (override.get("comment") or {}).values()]


def _part(name: str) -> str:
    """A name as one part of an LMS's file name: on one line, without the separators it parses."""
    return name_line(name).replace("/", " ").replace("\\", " ").replace("_", " ").strip() or "student"
