"""The table a TA reads before grading: the layout, each student, each file and what it became."""

from __future__ import annotations

from collections.abc import Iterable

from grader.batch.intake.stage import Student
from grader.text import counted, message_line, name_line

ARROW = "->"
LEFT_OUT = "--"


def render(
    layout: str, detected: bool, students: Iterable[Student], strays: Iterable[tuple[str, str]]
) -> str:
    """The table as lines of plain text (every student-given name made one inert line)."""
    students = list(students)
    how = "detected" if detected else "as --layout says"
    found = [f for s in students for f in s.found]
    graded = sum(f.became is not None for f in found)
    lines = [
        f"layout: {layout} ({how})",
        f"{counted(len(students), 'student')}, {counted(len(found), 'file')}: "
        f"{graded} to grade, {len(found) - graded} left out",
    ]
    for student in students:
        late = "  LATE" if student.lms.get("late") else ""
        lines.append(f"{name_line(student.student)}{late}")
        if not student.found:
            lines.append("  (no files)")
        for f in student.found:
            became = f"{ARROW} {f.became}" if f.became else LEFT_OUT
            note = f"  ({message_line(f.note)})" if f.note else ""
            lines.append(f"  {name_line(f.shown)}  {became}{note}")
    lines += [f"not a student's: {name_line(name)} ({message_line(why)})" for name, why in strays]
    return "\n".join(lines) + "\n"
