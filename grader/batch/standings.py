"""The dashboard's student table: a line per student, and the table in every order it is sorted by.

A line keeps a score per exercise and nothing more, so a class of any size stays small.
The page runs no script, so the table is sorted in advance: by name, by total and by each
exercise, lowest first (`views`); `grader.batch.summary` explains how the page switches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import methodcaller
from urllib.parse import quote

from grader.text import name_line


@dataclass(frozen=True)
class Mention:
    """A student's submission, linked to its report."""

    student: str
    submission: str
    #: Of the submission's report in OUT/<student>/ (`grader.batch.files.row_stem`).
    stem: str = ""

    @property
    def name(self) -> str:
        """The student as the page shows them."""
        return name_line(self.student)

    @property
    def file(self) -> str:
        """The submission's file as the page shows it."""
        return name_line(self.submission)

    @property
    def href(self) -> str | None:
        return f"{quote(self.student)}/{quote(self.stem)}.html" if self.stem else None


@dataclass(frozen=True)
class Cell:
    """A student's exercise in the student table (an exercise without one is missing)."""

    who: Mention
    score: float
    #: False: the submission could not be graded.
    graded: bool
    #: Its checks that timed out.
    timeouts: int


@dataclass
class Standing:
    """A student's line in the student table."""

    student: str
    total: float = 0.0
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return name_line(self.student)

    def rank(self, exercise: str) -> tuple[float, int]:
        """Lowest first: by score, and at the same score a missing exercise, then one that could not
        be graded, then one graded."""
        cell = self.cells.get(exercise)
        return (0.0, 0) if cell is None else (cell.score, 2 if cell.graded else 1)


@dataclass(frozen=True)
class View:
    """The student table in one order: its id is `by-<key>`, and its column's header links to it."""

    key: str
    order: str
    standings: list[Standing]


def views(by_name: list[Standing], exercises: list[str]) -> list[View]:
    """The student table in every order; the one by name last, as the page's CSS requires."""
    by_exercise = [
        View(exercise, f"{exercise}, lowest first", sorted(by_name, key=methodcaller("rank", exercise)))
        for exercise in exercises
    ]
    by_total = View("total", "total, lowest first", sorted(by_name, key=lambda s: s.total))
    return [by_total, *by_exercise, View("name", "name", by_name)]


def name_key(student: str) -> tuple[str, str]:
    """Students in alphabetical order, whatever their case."""
    return student.casefold(), student
