"""The grader's errors about its input: each one's message is written for the person running it.

Everything here is a `UsageError`: the command line prints its message on one line of
stderr and exits 2, and `grader.grade` raises it. Anything else that escapes is a bug of
the grader and is reported as one. A *submission's* problems are never errors: they are
data in its result (status `error`, a message).
"""

from __future__ import annotations

from pathlib import Path


class UsageError(Exception):
    """Bad usage or input the grader cannot grade at all (exit status 2)."""


class CourseError(UsageError):
    """The course directory or one of its files is missing or unusable."""


class SettingsError(UsageError):
    """A setting with an invalid value; the message names where it came from."""


class RubricError(UsageError):
    """An invalid rubric; `problems` lists every error found, one line each."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = path, problems
        listing = problems[0] if len(problems) == 1 else "\n" + "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid rubric {path}: {listing}")


class RegionError(CourseError):
    """A reference file whose solution markers are malformed."""


class MutantError(CourseError):
    """A mistake variant whose replacement no longer matches the reference source."""
