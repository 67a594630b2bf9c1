"""OUT/overrides.csv: a TA's grades that win over the grader's, whatever is regraded (nbgrader's rule).

A line is `student, exercise, check, points, comment, sha256`: `check` is a check id of the
exercise's rubric (its points replace that check's) or `total` (the exercise's score);
`student` is as grades.csv names them. The file is read and validated before anything is
graded: every bad line is one line of the usage error, with the file's line number.

**Stale overrides.** A TA overrides what they saw. The first time a line is applied, the
grader writes the submission's fingerprint (its sha256, `journal.resume_fingerprint`) into
the line's `sha256` cell. When the submission changes later (a resubmission, regraded), the
fingerprint no longer matches: every override of that student's exercise is then *stale*,
is not applied, and says so (grades.csv's notes, the summary, the row's `override.stale`).
The TA looks again and empties the cell (or deletes the line): the next run applies the
line to the new submission and records its fingerprint.

Each results row of an overridden (student, exercise) carries an `override` object (SPEC §4):
`points` and `comment` by check id or `total`, `stale`, the `sha256` the TA saw, and `score`,
the exercise's score that counts. The row's own `score` and checks stay the grader's.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.batch.files import write_atomic
from grader.batch.journal import resume_fingerprint
from grader.errors import UsageError
from grader.rubric import Rubric

NAME = "overrides.csv"
COLUMNS = ("student", "exercise", "check", "points", "comment", "sha256")
#: The `check` of a line that overrides the exercise's score.
TOTAL = "total"
Key = tuple[str, str]


@dataclass(frozen=True)
class Line:
    """One TA's override, as validated."""

    number: int
    student: str
    exercise: str
    check: str
    points: float
    comment: str
    #: The fingerprint of the submission the override was first applied to ("" until then).
    sha256: str


class Overrides:
    """The lines of OUT/overrides.csv, by (student, exercise)."""

    def __init__(self, path: Path, lines: list[Line]) -> None:
        self.path = path
        self._lines = lines
        self._changed = False

    @classmethod
    def read(
        cls, path: Path, handed_in: Collection[tuple[str, str]], rubrics: Mapping[str, Rubric]
    ) -> Overrides:
        """The overrides at `path` (none when it does not exist), every line checked against what the
        class handed in ((student, exercise) pairs: an override needs a row to apply to) and its
        rubrics; a `UsageError` lists every bad line as `FILE:LINE: problem`."""
        if not path.exists():
            return cls(path, [])
        try:
            text = path.read_text(encoding="utf-8-sig")  # a spreadsheet may add a BOM
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or ())]
        if missing:
            raise UsageError(
                f"{path}:1: missing column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)})"
            )
        lines, problems = [], []
        students = {student for student, _ in handed_in}
        seen: dict[tuple[str, str, str], int] = {}
        for cells in reader:
            number = reader.line_num
            if not any((value or "").strip() for value in cells.values() if isinstance(value, str)):
                continue
            line, problem = _line(number, cells, students, handed_in, rubrics)
            key = (line.student, line.exercise, line.check) if line is not None else None
            if key in seen:
                problem = f"{key[2]} of {key[1]} for {key[0]!r} is already overridden on line {seen[key]}"
            if line is None or key is None or key in seen:
                problems.append(f"{path}:{number}: {problem}")
                continue
            seen[key] = number
            lines.append(line)
        if problems:
            raise UsageError("\n".join(problems))
        return cls(path, lines)

    def keys(self) -> set[Key]:
        return {(line.student, line.exercise) for line in self._lines}

    def applied(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """`row` with its `override` object as the lines say now (none: without it); a line applied
        for the first time records the submission's fingerprint (written by `save`)."""
        bare = {k: v for k, v in row.items() if k != "override"}
        key = (row["student"], row["exercise"])
        mine = [line for line in self._lines if (line.student, line.exercise) == key]
        if not mine:
            return bare
        fingerprint = resume_fingerprint(row)
        seen = next((line.sha256 for line in mine if line.sha256), fingerprint)
        stale = any(line.sha256 and line.sha256 != fingerprint for line in mine)
        if not stale:
            self._record(mine, fingerprint)
        points = {line.check: line.points for line in mine}
        override = {
            "points": points,
            "comment": {line.check: line.comment for line in mine if line.comment},
            "stale": stale,
            "sha256": seen,
            "score": float(row["score"]) if stale else _score(row, points),
        }
        return {**bare, "override": override}

    def save(self) -> None:
        """Write back the fingerprints recorded since the file was read (the TA's cells as they were)."""
        if not self._changed:
            return
        text = self.path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = list(reader.fieldnames or ())
        columns += [c for c in COLUMNS if c not in columns]
        recorded = {line.number: line.sha256 for line in self._lines}
        lines = []
        for cells in reader:
            cells = {k: v for k, v in cells.items() if k in columns}
            if reader.line_num in recorded:
                cells["sha256"] = recorded[reader.line_num]
            lines.append(cells)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(lines)
        write_atomic(self.path, buffer.getvalue())
        self._changed = False

    def _record(self, mine: list[Line], fingerprint: str) -> None:
        for line in mine:
            if not line.sha256:
                self._lines[self._lines.index(line)] = replace(line, sha256=fingerprint)
                self._changed = True


def template(path: Path) -> None:
    """An empty overrides.csv (its header) for the TA to fill in, unless one is there."""
    if not path.exists():
        write_atomic(path, ",".join(COLUMNS) + "\n")


def counted(row: Mapping[str, Any]) -> float:
    """The exercise's score that counts: the TA's when an override applies, else the grader's."""
    override = row.get("override")
    if override and not override["stale"]:
        return float(override["score"])
    return float(row["score"])


def state(row: Mapping[str, Any]) -> str | None:
    """ "stale", "changed" (by the TA) or None: what a TA's page says about the row's score."""
    override = row.get("override")
    if not override:
        return None
    return "stale" if override["stale"] else "changed"


def _score(row: Mapping[str, Any], points: Mapping[str, float]) -> float:
    """The exercise's score with the TA's points: the total's, else the checks' with theirs replaced."""
    if TOTAL in points:
        return points[TOTAL]
    graded = {check["id"]: float(check["points"]) for check in row.get("checks") or []}
    return round(sum({**graded, **points}.values()), 6)


def _line(
    number: int,
    cells: Mapping[str, Any],
    students: Collection[str],
    handed_in: Collection[tuple[str, str]],
    rubrics: Mapping[str, Rubric],
) -> tuple[Line | None, str]:
    """The line, or None and what is wrong with it."""
    student, exercise, check = (str(cells.get(c) or "").strip() for c in ("student", "exercise", "check"))
    if student not in students:
        return None, f"unknown student {student!r} (not in this batch; see grades.csv's student column)"
    rubric = rubrics.get(exercise)
    if rubric is None:
        graded = ", ".join(sorted(rubrics)) or "none"
        return None, f"unknown exercise {exercise!r} (this batch grades: {graded})"
    if (student, exercise) not in handed_in:
        return None, f"{student!r} handed in no {exercise}: there is no grade to override"
    maximum = _maximum(rubric, check)
    if maximum is None:
        return None, f"unknown check {check!r} of {exercise} (a check id of its rubric, or {TOTAL})"
    text = str(cells.get("points") or "").strip()
    try:
        points = float(text)
    except ValueError:
        return None, f"points {text!r} is not a number"
    if not math.isfinite(points) or not 0 <= points <= maximum:
        return None, f"points {text} is outside [0, {maximum:g}] for {check} of {exercise}"
    comment = str(cells.get("comment") or "").strip()
    sha256 = str(cells.get("sha256") or "").strip()
    return Line(number, student, exercise, check, points, comment, sha256), ""


def _maximum(rubric: Rubric, check: str) -> float | None:
    if check == TOTAL:
        return rubric.max_score
    return next((c.points for c in rubric.checks if c.id == check), None)
