"""Staging: each student's files of an export, unpacked and renamed into a folder of their own.

What a student handed in (files, folders, their own zip, nested a level deeper) is walked,
each file's name mapped back to the course's (`names.exercise_file`), and the file copied as
`<staging>/<student>/exerciseNN.py|ipynb`, the folder the batch's discovery reads as ever.
When several files map to the same name, the latest resubmission (the highest copy number)
wins before the `.py`/`.ipynb` rule (`grader.choice`) is applied by discovery. Every file
found ends as a `Found`: what it became, or why it was left out, for the table the TA reads
before grading. Links are never followed; a student's zip is unpacked one level deep, with
the limits of `unzip.STUDENT`, and a refused one is noted against its student only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader.batch.intake.layouts import Export, Piece
from grader.batch.intake.names import Mapped, exercise_file
from grader.batch.intake.unzip import JUNK, Limits, Refused, unzip

#: Where students' zips are unpacked, inside the staging folder (discovery skips dot-names).
UNPACKED = ".unpacked"
UNKNOWN_NAME = "not an exerciseNN.py or .ipynb name"
LINK = "a symbolic link (never followed)"
NESTED_ZIP = "a zip inside a zip (only one level is unpacked)"


@dataclass(frozen=True)
class Found:
    """A file a student handed in, and what became of it."""

    #: Its name in the export (inside a zip: `work.zip/exercise11.py`).
    shown: str
    #: The course's file name it is graded as; None when it is not graded.
    became: str | None = None
    #: Why it is not graded, or which resubmission it is.
    note: str = ""


@dataclass
class Student:
    """One student of the export: their identity, the LMS's ids, the files found."""

    student: str
    lms: dict[str, Any]
    found: list[Found] = field(default_factory=list)

    def lms_row(self, exercise: str) -> dict[str, Any] | None:
        """The `lms` object of a results row of `exercise`: the ids, the late flag and the
        original name of each file graded; None for plain folders (nothing to keep)."""
        if not self.lms:
            return None
        files = {
            f.became: f.shown for f in self.found if f.became and PurePosixPath(f.became).stem == exercise
        }
        return {**self.lms, "files": files}


def stage(export: Export, staging: Path, limits: Limits) -> list[Student]:
    """Stage every submission of `export` under `staging` (a new folder)."""
    staging.mkdir(parents=True)
    students: list[Student] = []
    taken: set[str] = set()
    for submission in export.submissions:
        name = _unique(submission.student, taken)
        student = Student(name, submission.lms)
        folder = staging / name
        folder.mkdir()
        files = [
            f
            for piece in submission.pieces
            for f in _files(piece, staging / UNPACKED / name, limits, student)
        ]
        _place(files, folder, student)
        students.append(student)
    return students


def _unique(student: str, taken: set[str]) -> str:
    """`student`, or `student-2`... when two identities read the same on disk."""
    name, n = student, 1
    while name.casefold() in taken:
        n += 1
        name = f"{student}-{n}"
    taken.add(name.casefold())
    return name


def _files(piece: Piece, unpacked: Path, limits: Limits, student: Student) -> Iterator[tuple[str, str, Path]]:
    """(shown, bare name, path) of each regular file of `piece`; what is not one is noted."""
    if piece.path.is_symlink():
        student.found.append(Found(piece.shown, note=LINK))
    elif piece.path.is_dir():
        yield from _walk(piece.path, piece.shown, student, zips=True, unpacked=unpacked, limits=limits)
    elif piece.bare.lower().endswith(".zip"):
        yield from _unpack(piece.path, piece.shown, unpacked, limits, student)
    else:
        yield piece.shown, piece.bare, piece.path


def _unpack(
    path: Path, shown: str, unpacked: Path, limits: Limits, student: Student
) -> Iterator[tuple[str, str, Path]]:
    into = unpacked / hashlib.sha256(shown.encode()).hexdigest()[:16]  # one folder per zip shown
    try:
        unzip(path, into, limits)
    except Refused as exc:
        student.found.append(Found(shown, note=f"refused: {exc}"))
        return
    yield from _walk(into, shown, student, zips=False, unpacked=unpacked, limits=limits)


def _walk(
    folder: Path, shown: str, student: Student, *, zips: bool, unpacked: Path, limits: Limits
) -> Iterator[tuple[str, str, Path]]:
    """The regular files under `folder`, in a stable order, hidden ones and macOS's left out."""
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in JUNK)
        where = Path(top)
        for name in sorted(n for n in names if not n.startswith(".") and n not in JUNK):
            path = where / name
            label = f"{shown}/{path.relative_to(folder).as_posix()}"
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                student.found.append(Found(label, note=LINK))
            elif not stat.S_ISREG(mode):
                student.found.append(Found(label, note="not a regular file"))
            elif name.lower().endswith(".zip"):
                if zips:
                    yield from _unpack(path, label, unpacked, limits, student)
                else:
                    student.found.append(Found(label, note=NESTED_ZIP))
            else:
                yield label, name, path


def _place(files: list[tuple[str, str, Path]], folder: Path, student: Student) -> None:
    """Copy the latest file of each course name into `folder`; note every other."""
    groups: dict[str, list[tuple[Mapped, str, Path]]] = {}
    for shown, bare, path in files:
        mapped = exercise_file(bare)
        if mapped is None:
            student.found.append(Found(shown, note=UNKNOWN_NAME))
        else:
            groups.setdefault(mapped.name, []).append((mapped, shown, path))
    for name, group in sorted(groups.items()):
        group.sort(key=lambda g: (-g[0].copy, g[1]))
        (best, shown, path), rest = group[0], group[1:]
        shutil.copyfile(path, folder / name)
        note = f"resubmission {best.copy}" if best.copy else ""
        if rest:
            note = f"{note + ', ' if note else ''}the latest of {len(group)}"
        student.found.append(Found(shown, name, note))
        for mapped, other, _ in rest:
            why = "an earlier resubmission" if mapped.copy < best.copy else "the same exercise"
            student.found.append(Found(other, note=f"{why}: {shown} is graded as {name}"))
