"""Who is in a batch: each entry directly under DIR is a student, with the files to grade.

Every student becomes at least one `Entry`, so each gets a row even when nothing can
be graded (an empty folder, an unreadable file); anything that is not a student or an
exercise file becomes an `Ignored` note for the TA instead of an error.

Entries are data, never paths to follow: a symbolic link (to another student's file,
a course file, /etc/passwd) is never opened or listed. An exercise file that is a link
gets a row saying so, as a FIFO does; any other link is ignored with the same note.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import SUFFIXES, exercise_of

#: Names of the batch's own outputs; a student folder so named would be mixed up with them.
RESERVED = frozenset({"results.jsonl", "grades.csv", "canvas.csv", "summary.html"})
NO_EXERCISE_FILES = "no exerciseNN.py or .ipynb file in this folder"
#: Why a symbolic link is neither graded nor followed; formatted with the link's name.
LINK = "{} is a symbolic link; submissions must be regular files"
#: How `fingerprint` names a directory entry that is not a regular file.
FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(frozen=True)
class Entry:
    """One row of the batch: a student's file to grade, or why there is nothing to grade."""

    student: str
    #: The exercise graded ("" for a student with no exercise file at all).
    exercise: str
    path: Path | None
    #: Of the file's bytes; "" when it could not be read. With `key`, decides what --resume skips.
    sha256: str = ""
    #: Why it cannot be graded (unreadable, no exercise file...); None when it can.
    problem: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.student, self.exercise)


@dataclass(frozen=True)
class Ignored:
    """A directory entry that is neither a student nor one of a student's exercise files."""

    path: str
    reason: str


@dataclass
class Roll:
    """Everything found under DIR, in a stable order."""

    entries: list[Entry] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return list(dict.fromkeys(e.student for e in self.entries))

    @property
    def exercises(self) -> list[str]:
        return sorted({e.exercise for e in self.entries if e.exercise})


def discover(directory: Path, exercise: str | None, known: Callable[[str], bool], skip: Path) -> Roll:
    """The students under `directory` and their files.

    `exercise` is the rubric's exercise of a one-exercise batch (--rubric), else None:
    then each file's exercise comes from its name and must be `known` to the course.
    `skip` (the output folder) is never taken for a student.
    """
    roll = Roll()
    seen: set[str] = set()
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or _same(path, skip):
            continue
        folder = path.is_dir() and not path.is_symlink()
        student = path.name if folder else path.stem
        if not folder and path.suffix not in SUFFIXES:
            roll.ignored.append(
                Ignored(path.name, _unless_link(path, "not a student folder or a .py/.ipynb file"))
            )
        elif student in RESERVED:
            roll.ignored.append(
                Ignored(path.name, f"the batch writes its own {student} in the output folder")
            )
        elif student in seen:
            roll.ignored.append(Ignored(path.name, f"another entry is already student {student!r}"))
        elif folder:
            seen.add(student)
            _folder(roll, student, path, exercise, known)
        else:
            seen.add(student)
            _single_file(roll, student, path, exercise, known)
    return roll


def _folder(
    roll: Roll, student: str, folder: Path, exercise: str | None, known: Callable[[str], bool]
) -> None:
    """One entry per exercise in the folder (the canonical file when several claim it)."""
    chosen: dict[str, Path] = {}
    try:
        files = sorted(folder.iterdir(), key=_preference)
    except OSError as exc:
        roll.entries.append(
            Entry(student, "", None, problem=f"cannot list the folder: {exc.strerror or exc}")
        )
        return
    for path in files:
        found = exercise_of(path) if path.suffix in SUFFIXES else None
        if found is None:
            _leave_out(roll, student, path, "not an exerciseNN.py or .ipynb file")
        elif exercise is not None and found != exercise:
            _leave_out(roll, student, path, f"not {exercise}, the rubric's exercise")
        elif exercise is None and not known(found):
            _leave_out(roll, student, path, f"the course has no rubric for {found}")
        elif found in chosen:
            _leave_out(roll, student, path, f"{chosen[found].name} is graded for {found}")
        else:
            chosen[found] = path  # a link only for want of a file: its row then says what it is
    if not chosen:
        roll.entries.append(Entry(student, "", None, problem=NO_EXERCISE_FILES))
    for found in sorted(chosen):
        roll.entries.append(_entry(student, found, chosen[found]))


def _leave_out(roll: Roll, student: str, path: Path, reason: str) -> None:
    """Note a file of a student folder that is not graded."""
    roll.ignored.append(Ignored(f"{student}/{path.name}", _unless_link(path, reason)))


def _unless_link(path: Path, reason: str) -> str:
    """`reason`, unless `path` is a symbolic link: then that is what the TA must hear."""
    return LINK.format(path.name) if path.is_symlink() else reason


def _single_file(
    roll: Roll, student: str, path: Path, exercise: str | None, known: Callable[[str], bool]
) -> None:
    found = exercise or exercise_of(path)
    if found is None:
        problem = (
            f"cannot tell the exercise of {path.name}: pass --rubric FILE or name it …exerciseNN{path.suffix}"
        )
        roll.entries.append(Entry(student, "", path, problem=_unless_link(path, problem)))
    elif exercise is None and not known(found):
        roll.ignored.append(Ignored(path.name, _unless_link(path, f"the course has no rubric for {found}")))
    else:
        roll.entries.append(_entry(student, found, path))


def _entry(student: str, exercise: str, path: Path) -> Entry:
    digest, problem = fingerprint(path)
    return Entry(student, exercise, path, digest, problem)


def fingerprint(path: Path) -> tuple[str, str | None]:
    """The sha256 of a regular file, or "" and why it cannot be read (never blocks on a FIFO,
    never follows a symbolic link)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        return "", _unless_link(path, _unreadable(path, exc))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
            return "", f"{path.name} is {kind}, not a file"
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
    except OSError as exc:
        return "", _unreadable(path, exc)
    finally:
        os.close(fd)
    return digest.hexdigest(), None


def _unreadable(path: Path, exc: OSError) -> str:
    return f"{path.name} cannot be read: {exc.strerror or exc}"


def _preference(path: Path) -> tuple[bool, bool, bool, str]:
    """Files before links; exerciseNN.py first, then exerciseNN.ipynb, then other names (exercise11_v2.py)."""
    return (path.is_symlink(), path.stem != exercise_of(path), path.suffix != ".py", path.name)


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except OSError:
        return False
