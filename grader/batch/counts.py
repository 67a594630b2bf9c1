"""What became of a batch's submissions, counted once and said the same way everywhere.

The command's closing line and summary.html show the same `Counts`, taken from the latest
row of every entry: each submission (a student's exercise with a file) is exactly one of
graded now (by this run), already graded (by an earlier run, unchanged since: --resume),
or could not be graded; a student with no exercise file at all has nothing to grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """A number and what it counts, in the right grammatical number."""

    value: int
    singular: str
    plural: str

    @property
    def label(self) -> str:
        return self.singular if self.value == 1 else self.plural

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


@dataclass
class Counts:
    students: int
    submissions: int = 0
    graded_now: int = 0
    already_graded: int = 0
    not_graded: int = 0
    #: Entries without any file to grade (an empty folder, one that could not be listed).
    nothing_to_grade: int = 0

    def add(self, row: Mapping[str, Any], now: bool) -> None:
        """Count the latest row of an entry; `now`: this run recorded it."""
        if not row["submission"]:
            self.nothing_to_grade += 1
            return
        self.submissions += 1
        if row["status"] == "error":
            self.not_graded += 1
        elif now:
            self.graded_now += 1
        else:
            self.already_graded += 1

    @property
    def totals(self) -> list[Figure]:
        return [
            Figure(self.students, "student", "students"),
            Figure(self.submissions, "submission", "submissions"),
        ]

    @property
    def outcomes(self) -> list[Figure]:
        """What became of the submissions (they add up to all of them), and who had nothing to grade."""
        figures = [
            Figure(self.graded_now, "graded now", "graded now"),
            Figure(self.already_graded, "already graded", "already graded"),
            Figure(self.not_graded, "could not be graded", "could not be graded"),
        ]
        if self.nothing_to_grade:
            figures.append(
                Figure(
                    self.nothing_to_grade, "student with nothing to grade", "students with nothing to grade"
                )
            )
        return figures

    def sentence(self) -> str:
        """E.g. "3 students, 5 submissions: 2 graded now, 3 already graded, 0 could not be graded"."""
        return f"{', '.join(map(str, self.totals))}: {', '.join(map(str, self.outcomes))}"
