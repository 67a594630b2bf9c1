"""From what an LMS hands a TA to one folder per student: the intake of `grade batch`.

`gather(source, staging, layout)` takes an export (a zip or a folder) of any layout of
`layouts.LAYOUTS`, unpacks it safely (`unzip`), tells its layout (or takes the one given),
and stages each student's files, renamed to the course's names, under `staging/students/`
(`stage`). A plain folder of student folders is read where it is, as it always was.
The `Intake` it returns is what the table shows (`table.render`) and what each results row
keeps of the LMS (`Intake.lms`).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.batch.intake.layouts import LAYOUTS, detect, read
from grader.batch.intake.stage import Found, Student, stage
from grader.batch.intake.table import render
from grader.batch.intake.unzip import EXPORT, STUDENT, Limits, Refused, unzip
from grader.errors import UsageError

__all__ = ["LAYOUTS", "Found", "Intake", "Limits", "Student", "gather"]
#: What --layout accepts.
CHOICES = ("auto", *LAYOUTS)


@dataclass
class Intake:
    """An export as found: its layout, where its students' folders are, what each handed in."""

    layout: str
    #: Whether the layout was detected (else --layout gave it).
    detected: bool
    #: The folder with one entry per student that discovery reads.
    folder: Path
    #: Staged students, in order; empty for a plain folder read where it is.
    students: list[Student] = field(default_factory=list)
    #: Entries of the export that are nobody's submission: (name, why).
    strays: list[tuple[str, str]] = field(default_factory=list)
    #: False for a plain folder of students read where it is (today's `grade batch DIR`).
    staged: bool = True

    def lms(self, student: str, exercise: str) -> dict[str, Any] | None:
        """The `lms` object of the results row of (student, exercise), if the LMS gave one."""
        found = next((s for s in self.students if s.student == student), None)
        return found.lms_row(exercise) if found is not None else None

    def table(self) -> str:
        return render(self.layout, self.detected, self.students, self.strays)


def gather(
    source: Path,
    staging: Path,
    layout: str = "auto",
    *,
    export_limits: Limits = EXPORT,
    student_limits: Limits = STUDENT,
) -> Intake:
    """The export at `source` (a zip or a folder), staged under `staging` (emptied first).

    Raises `UsageError` for an unknown layout, a source that is neither a folder nor a zip,
    and an export zip that is refused (a student's refused zip is only noted in the table)."""
    if layout not in CHOICES:
        raise UsageError(f"--layout {layout}: expected one of {', '.join(CHOICES)}")
    if staging.exists():
        shutil.rmtree(staging)
    root = source
    if source.is_file() and zipfile.is_zipfile(source):
        try:
            unzip(source, staging / "export", export_limits)
        except Refused as exc:
            raise UsageError(f"the export is refused: {exc}") from None
        root = _unwrapped(staging / "export")
    elif source.is_file():
        raise UsageError(f"{source}: not a directory or a zip (expected a class's folder or an LMS export)")
    elif not source.is_dir():
        raise UsageError(f"{source}: not a directory (expected a folder with one entry per student)")
    found = detect(root) if layout == "auto" else layout
    if found == "folders" and root == source:
        return Intake(found, layout == "auto", source, staged=False)
    export = read(found, root)
    students = stage(export, staging / "students", student_limits)
    return Intake(found, layout == "auto", staging / "students", students, export.strays)


def _unwrapped(root: Path) -> Path:
    """The export inside the one folder a zip may wrap it in (Gradescope's `assignment_N_export/`):
    a lone top folder holding folders or the metadata, not a lone student's files."""
    entries = [n for n in os.listdir(root) if not n.startswith(".") and n != "__MACOSX"]
    if len(entries) != 1 or not (root / entries[0]).is_dir():
        return root
    inner = root / entries[0]
    return inner if any(p.is_dir() or p.suffix == ".yml" for p in inner.iterdir()) else root
