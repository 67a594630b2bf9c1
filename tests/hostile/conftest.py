"""Grading a hostile submission, and proving afterwards that the grader's files are untouched."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.course import find_course
from grader.result import Result

COURSE = find_course()
STUDENTS = Path(__file__).resolve().parents[1] / "students" / "exercise11"
ATTACKS = Path(__file__).resolve().parent / "attacks"
#: The course folders a submission must neither read nor change.
GUARDED = ("reference", "rubrics")
#: Suffix of the files the vandal test plants in them.
DECOY = ".decoy"


def submission(attack: str | None, base: str | None = "correct") -> str:
    """A student file: a student of tests/students/exercise11 with an attack appended after it."""
    parts = [(STUDENTS / f"{base}.py").read_text()] if base else []
    parts += [(ATTACKS / f"{attack}.py").read_text()] if attack else []
    return "\n".join(parts)


@dataclass
class Graded:
    result: Result
    seconds: float

    @property
    def rules(self) -> set[str]:
        return {finding.rule for finding in self.result.integrity}

    def messages(self, rule: str) -> list[str]:
        return [finding.message for finding in self.result.integrity if finding.rule == rule]


@pytest.fixture
def student_dir(tmp_path: Path) -> Path:
    """The student's own folder: the submission goes here, next to a file of theirs."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "notes.txt").write_text("the student's other work\n")
    return folder


Grade = Callable[..., Graded]


@pytest.fixture
def grade_hostile(student_dir: Path) -> Grade:
    """``grade_hostile(source, name="exercise11.py", **options)`` grades ``name`` in the student's folder.

    The course's guarded folders and the student's folder must be byte for byte
    what they were before grading began.
    """

    def grade(
        source: str | bytes, name: str = "exercise11.py", course_dir: Path | None = None, **options: object
    ) -> Graded:
        path = student_dir / name
        path.write_bytes(source.encode() if isinstance(source, str) else source)
        with untouched(student_dir):
            started = time.perf_counter()
            result = grade_submission(path, course_dir=course_dir, overrides=options, env={})
            return Graded(result, time.perf_counter() - started)

    return grade


@contextmanager
def untouched(*folders: Path) -> Iterator[None]:
    """Fail unless the course's guarded folders and ``folders`` end byte for byte as they began."""
    watched = [*(COURSE / name for name in GUARDED), *folders]
    before = fingerprints(*watched)
    yield
    assert fingerprints(*watched) == before, "the submission changed files it must not touch"


def fingerprints(*folders: Path) -> dict[str, str]:
    """sha256 of every file under ``folders``.

    Bytecode caches aside (the grader writes those), and decoys: a test run next to
    this one may be planting or removing its own (the vandal test checks its decoys).
    """
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != DECOY
    }
