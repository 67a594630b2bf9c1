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
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.batch.journal import pair_fingerprint
from grader.choice import choose
from grader.course import SUFFIXES, exercise_of
from grader.text import name_line

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
#: Why files are left out because of how the batch was called (--rubric, --course) rather
#: than because of a student's file: when nothing else is left to grade, that is a usage error.
UNKNOWN_EXERCISE = (
    "the exercise cannot be told from the file name (pass --rubric FILE for a one-exercise batch, "
    "or name each file <student>_exerciseNN.py)"
)
OTHER_EXERCISE = "not the exercise of --rubric ({})"
NO_RUBRIC = "the course has no rubric for their exercise (pass --course DIR or --rubric FILE)"
#: Files a usage error names, before "and N more".
NAMED = 3


@dataclass(frozen=True)
class File:
    """A file of a student's entry, as discovery read it."""

    path: Path
    #: Of the file's bytes; "" when it could not be read.
    sha256: str
    #: False for an untouched starter that gave way to the student's other file (`grader.choice`).
    graded: bool = True


@dataclass(frozen=True)
class Entry:
    """One row of the batch: a student's file(s) to grade, or why there is nothing to grade."""

    student: str
    #: The exercise graded ("" for a student with no exercise file at all).
    exercise: str
    #: The file; or a folder's exerciseNN.py and exerciseNN.ipynb, which the file rule decided between.
    files: tuple[File, ...] = ()
    #: Why it cannot be graded (unreadable, no exercise file...); None when it can.
    problem: str | None = None
    #: Why these files are graded when the folder held both forms of the exercise; None otherwise.
    reason: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.student, self.exercise)

    @property
    def graded(self) -> tuple[File, ...]:
        return tuple(f for f in self.files if f.graded)

    @property
    def fingerprint(self) -> str:
        """With `key`, decides what --resume skips: the file's sha256, or one over both forms."""
        if len(self.files) > 1:
            return pair_fingerprint({f.path.name: f.sha256 for f in self.files})
        return self.files[0].sha256 if self.files else ""


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
    #: Files left out because of how the batch was called, by why (`UNKNOWN_EXERCISE`...).
    misfits: dict[str, list[str]] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return list(dict.fromkeys(e.student for e in self.entries))

    @property
    def exercises(self) -> list[str]:
        return sorted({e.exercise for e in self.entries if e.exercise})

    def usage_problem(self) -> str | None:
        """Why nothing can be graded, when files were left out because of how the batch was
        called; None when some entry can be graded, or when nothing was left out for that."""
        if not self.misfits or any(e.problem is None for e in self.entries):
            return None
        return "nothing to grade: " + "; ".join(
            f"{why}: {_listing(names)}" for why, names in self.misfits.items()
        )

    def misfit(self, why: str, name: str) -> None:
        self.misfits.setdefault(why, []).append(name)


def discover(
    directory: Path, exercise: str | None, known: Callable[[str], bool], skip: Path, course: Path | None
) -> Roll:
    """The students under `directory` and their files.

    `exercise` is the rubric's exercise of a one-exercise batch (--rubric), else None:
    then each file's exercise comes from its name and must be `known` to the course.
    `skip` (the output folder) is never taken for a student. `course` holds the starters
    that decide between a folder's exerciseNN.py and exerciseNN.ipynb (`grader.choice`).
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
            _folder(roll, student, path, exercise, known, course)
        else:
            seen.add(student)
            _single_file(roll, student, path, exercise, known)
    return roll


def _folder(
    roll: Roll,
    student: str,
    folder: Path,
    exercise: str | None,
    known: Callable[[str], bool],
    course: Path | None,
) -> None:
    """One entry per exercise in the folder: its canonical file, or both forms as the file rule says."""
    candidates: dict[str, list[Path]] = {}
    try:
        files = sorted(folder.iterdir())
    except OSError as exc:
        roll.entries.append(Entry(student, "", problem=f"cannot list the folder: {exc.strerror or exc}"))
        return
    for path in files:
        found = exercise_of(path) if path.suffix in SUFFIXES else None
        if found is None:
            _leave_out(roll, student, path, "not an exerciseNN.py or .ipynb file")
        elif exercise is not None and found != exercise:
            reason = f"not {exercise}, the rubric's exercise"
            _leave_out(roll, student, path, reason, misfit=OTHER_EXERCISE.format(exercise))
        elif exercise is None and not known(found):
            _leave_out(roll, student, path, f"the course has no rubric for {found}", misfit=NO_RUBRIC)
        else:
            candidates.setdefault(found, []).append(path)
    if not candidates:
        roll.entries.append(Entry(student, "", problem=NO_EXERCISE_FILES))
    for found in sorted(candidates):
        entry = _folder_entry(student, found, candidates[found], course)
        graded = [f.path.name for f in entry.graded]
        for path in candidates[found]:
            if path not in {f.path for f in entry.files}:
                _leave_out(roll, student, path, f"{' and '.join(graded)} {_is(graded)} graded for {found}")
        roll.entries.append(entry)


def _folder_entry(student: str, exercise: str, paths: list[Path], course: Path | None) -> Entry:
    """The entry for a folder's files of `exercise`: the best one (a readable file before anything
    else, then by `_preference`), or exerciseNN.py and exerciseNN.ipynb as `grader.choice` decides."""
    read = sorted((_read(path) for path in paths), key=lambda r: (r[1] is not None, _preference(r[0].path)))
    pair = [f for f, problem in read if problem is None and f.path.stem == exercise]
    if len(pair) < 2:
        best, problem = read[0]
        return Entry(student, exercise, (best,), problem)
    choice = choose([f.path for f in pair], course)[0]
    files = tuple(replace(f, graded=f.path in choice.graded) for f in pair)
    return Entry(student, exercise, files, reason=choice.reason)


def _read(path: Path) -> tuple[File, str | None]:
    digest, problem = fingerprint(path)
    return File(path, digest), problem


def _is(names: list[str]) -> str:
    return "are" if len(names) > 1 else "is"


def _listing(names: list[str]) -> str:
    shown = ", ".join(name_line(name) for name in names[:NAMED])
    return shown if len(names) <= NAMED else f"{shown} and {len(names) - NAMED} more"


def _leave_out(roll: Roll, student: str, path: Path, reason: str, misfit: str | None = None) -> None:
    """Note a file of a student folder that is not graded."""
    _ignore(roll, Ignored(f"{student}/{path.name}", _unless_link(path, reason)), path, misfit)


def _ignore(roll: Roll, item: Ignored, path: Path, misfit: str | None) -> None:
    """Note `item`; `misfit` says why in general when it is left out because of how the batch was called."""
    roll.ignored.append(item)
    if misfit is not None and not path.is_symlink():
        roll.misfit(misfit, item.path)


def _unless_link(path: Path, reason: str) -> str:
    """`reason`, unless `path` is a symbolic link: then that is what the TA must hear."""
    return LINK.format(path.name) if path.is_symlink() else reason


def _single_file(
    roll: Roll, student: str, path: Path, exercise: str | None, known: Callable[[str], bool]
) -> None:
    found = exercise or exercise_of(path)
    if found is None:
        unknown = (
            f"cannot tell the exercise of {path.name}: pass --rubric FILE or name it …exerciseNN{path.suffix}"
        )
        roll.entries.append(Entry(student, "", (File(path, ""),), _unless_link(path, unknown)))
        if not path.is_symlink():
            roll.misfit(UNKNOWN_EXERCISE, path.name)
    elif exercise is None and not known(found):
        reason = _unless_link(path, f"the course has no rubric for {found}")
        _ignore(roll, Ignored(path.name, reason), path, misfit=NO_RUBRIC)
    else:
        file, problem = _read(path)
        roll.entries.append(Entry(student, found, (file,), problem))


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


def _preference(path: Path) -> tuple[bool, bool, str]:
    """exerciseNN.py first, then exerciseNN.ipynb, then other names (exercise11_v2.py)."""
    return (path.stem != exercise_of(path), path.suffix != ".py", path.name)


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except OSError:
        return False
