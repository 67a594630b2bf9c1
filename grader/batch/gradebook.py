"""The batch's gradebooks: grades.csv (ours) and canvas.csv (for Canvas's gradebook import).

grades.csv has one row per student: a column per exercise (blank: nothing submitted;
0 with a note: submitted but could not be graded), the total, the points possible, for an
LMS's export a `late` column ("late" where the LMS flagged the submission late; the penalty
stays the LMS's business) and notes (why a file could not be graded; which file counts when a folder held both
exerciseNN.py and exerciseNN.ipynb, and why; a TA's override, or a stale one not applied).
Scores are those that count: a TA's override wins (`grader.batch.overrides`). canvas.csv
copies a roster exported from Canvas (Student, ID, SIS User ID, SIS Login ID, Section) and adds
a column per exercise plus the "Points Possible" row; Canvas creates an assignment for a new column name, or
updates the one whose exported header ("exercise11 (12345)") the roster already has. A student
of a Canvas export is found in the roster by their Canvas user id (the roster's ID).

Every text cell is a spreadsheet's input, and student-controlled: the student's name,
the notes quoting why a file could not be graded, and the roster's own cells (Canvas
users may set their display names). Each is one inert line of bounded length
(`grader.text`), and one that a spreadsheet would run as a formula (``=HYPERLINK(...)``,
``+``, ``-``, ``@``) gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch import overrides
from grader.errors import UsageError
from grader.rubric import Rubric
from grader.text import message_line, name_line

GRADES = "grades.csv"
CANVAS = "canvas.csv"
#: The heading of grades.csv's late column, and its value for a late submission.
LATE = "late"
ROSTER_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: Roster columns a batch folder may be named after, most specific first.
IDENTIFIERS = ("SIS Login ID", "SIS User ID", "ID", "Student")
POINTS_POSSIBLE = "Points Possible"
#: A spreadsheet runs a cell starting with one of these as a formula (a cell is one inert
#: line, so no carriage return can start it).
FORMULA_START = ("=", "+", "-", "@", "\t")


class Gradebook:
    """Each student's score per exercise, gathered one journal row at a time."""

    def __init__(self, students: list[str], rubrics: Mapping[str, Rubric]) -> None:
        self._rubrics = dict(sorted(rubrics.items()))
        self._scores: dict[str, dict[str, float]] = {student: {} for student in students}
        self._notes: dict[str, list[str]] = {student: [] for student in students}
        #: None until a row comes from an LMS's export; then the students it flagged late.
        self._late: set[str] | None = None
        #: The Canvas user id of each student of a Canvas export.
        self._canvas_ids: dict[str, str] = {}

    def add(self, row: Mapping[str, Any]) -> None:
        student = row["student"]
        if row["exercise"]:
            self._scores[student][row["exercise"]] = overrides.counted(row)
        if (note := _override_note(row)) is not None:
            self._notes[student].append(note)
        if (row.get("lms") or {}).get("user_id"):
            self._canvas_ids[student] = row["lms"]["user_id"]
        if row["status"] == "error":
            self._notes[student].append(_note(row["submission"], row["message"] or "could not be graded"))
        if "lms" in row:
            self._late = self._late or set()
            if row["lms"].get("late"):
                self._late.add(student)
        if row.get("file_choice"):  # which of a folder's two forms counts, and why
            self._notes[student].append(message_line(row["file_choice"]))

    def grades_csv(self) -> str:
        possible = sum(r.max_score for r in self._rubrics.values())
        late = [] if self._late is None else [LATE]
        lines = [["student", *self._rubrics, "total", "max", *late, "notes"]]
        for student, scores in self._scores.items():
            cells = [points_cell(scores[e]) if e in scores else "" for e in self._rubrics]
            total = points_cell(sum(scores.values()))
            flag = [LATE if student in self._late else ""] if self._late is not None else []
            notes = "; ".join(self._notes[student])
            lines.append(
                [
                    inert_cell(name_line(student)),
                    *cells,
                    total,
                    points_cell(possible),
                    *flag,
                    inert_cell(notes),
                ]
            )
        return _csv(lines)

    def canvas_csv(self, roster: Roster) -> tuple[str, list[str]]:
        """The Canvas import file, and the students the roster does not name."""
        columns = [roster.column_for(exercise) for exercise in self._rubrics]
        lines = [[*ROSTER_COLUMNS, *columns]]
        lines.append(
            [POINTS_POSSIBLE, "", "", "", "", *(points_cell(r.max_score) for r in self._rubrics.values())]
        )
        by_row = {}
        unmatched = []
        for student, scores in self._scores.items():
            index = roster.find(self._canvas_ids[student], ("ID",)) if student in self._canvas_ids else None
            index = roster.find(student) if index is None else index
            if index is None:
                unmatched.append(student)
            else:
                by_row[index] = scores
        for index, person in enumerate(roster.people):
            scores = by_row.get(index, {})
            cells = [points_cell(scores[e]) if e in scores else "" for e in self._rubrics]
            lines.append([inert_cell(name_line(person[c])) for c in ROSTER_COLUMNS] + cells)
        return _csv(lines), unmatched


@dataclass(frozen=True)
class Roster:
    """The students of a Canvas course, as its gradebook export lists them."""

    path: Path
    header: tuple[str, ...]
    people: tuple[dict[str, str], ...]

    @classmethod
    def load(cls, path: Path) -> Roster:
        """Read a roster CSV; a usage error names what is missing."""
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:  # Excel writes a BOM
                reader = csv.DictReader(file)
                header = tuple(reader.fieldnames or ())
                people = tuple(row for row in reader if _is_person(row))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UsageError(f"cannot read the roster {path}: {exc}") from None
        missing = [c for c in ROSTER_COLUMNS if c not in header]
        if missing:
            expected = ", ".join(ROSTER_COLUMNS)
            raise UsageError(f"roster {path} lacks the column(s) {', '.join(missing)} (expected {expected})")
        return cls(path, header, tuple({c: row.get(c) or "" for c in ROSTER_COLUMNS} for row in people))

    def find(self, student: str, columns: tuple[str, ...] = IDENTIFIERS) -> int | None:
        """The roster row a batch entry is named after (login, SIS id, Canvas id or name), if exactly one."""
        wanted = student.strip().casefold()
        for column in columns:
            hits = [i for i, p in enumerate(self.people) if p[column].strip().casefold() == wanted]
            if len(hits) == 1:
                return hits[0]
        return None

    def column_for(self, exercise: str) -> str:
        """The roster's own column for the exercise ("exercise11 (12345)"), else the exercise's name."""
        pattern = re.compile(rf"{re.escape(exercise)}(\s*\(\d+\))?")
        return next((c for c in self.header if pattern.fullmatch(c.strip())), exercise)


def _is_person(row: Mapping[str, str | None]) -> bool:
    """Not one of the rows Canvas adds under the header (points possible, muted/manual posting)."""
    name = (row.get("Student") or "").strip()
    return bool(name) and POINTS_POSSIBLE not in name and bool((row.get("ID") or "").strip())


def _override_note(row: Mapping[str, Any]) -> str | None:
    """What grades.csv says of a TA's override of the row: applied (over which score), or stale."""
    state = overrides.state(row)
    if state == "stale":
        return (
            f"{row['exercise']}: the TA's override is STALE, not applied (the submission changed since; "
            f"empty its sha256 in {overrides.NAME} to apply it)"
        )
    if state == "changed":
        return f"{row['exercise']}: changed by the TA (graded {points_cell(row['score'])})"
    return None


def _note(submission: str, message: str) -> str:
    """The message, prefixed by the file it is about unless it already names it; one bounded line."""
    return message_line(message if submission in message else f"{submission}: {message}")


def points_cell(x: float) -> str:
    return f"{round(x, 2):g}"


def inert_cell(cell: str) -> str:
    """Student-controlled text that a spreadsheet must not run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _csv(lines: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue()
