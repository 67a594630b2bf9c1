"""The table of a plain folder of students, read where it is: told from discovery's own roll."""

from __future__ import annotations

from grader.batch.discover import Roll
from grader.batch.intake.stage import Found, Student


def described(roll: Roll) -> tuple[list[Student], list[tuple[str, str]]]:
    """Each student with their files (graded, or why not), and the entries that are no student's."""
    students = {name: Student(name, {}) for name in roll.students}
    for entry in roll.entries:
        for file in entry.files:
            graded = file.graded and entry.problem is None
            note = entry.problem or ("" if file.graded else entry.reason or "") or ""
            students[entry.student].found.append(
                Found(file.path.name, file.path.name if graded else None, note)
            )
    strays = []
    for item in roll.ignored:
        student, _, name = item.path.partition("/")
        if name and student in students:
            students[student].found.append(Found(name, note=item.reason))
        else:
            strays.append((item.path, item.reason))
    return list(students.values()), strays
