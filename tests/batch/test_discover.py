"""Who is in a batch: students, their files, and a reason for everything left out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from grader.batch import grade_batch
from grader.batch.discover import LINK, NO_EXERCISE_FILES, Entry, Ignored, discover, fingerprint
from grader.course import find_course
from tests.batch.classes import make_fifo

KNOWN = {"exercise11", "exercise12"}


def find(
    directory: Path, exercise: str | None = None, skip: Path | None = None
) -> tuple[list[Entry], list[Ignored]]:
    roll = discover(directory, exercise, KNOWN.__contains__, skip or directory / "out")
    return roll.entries, roll.ignored


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_single_files_and_odd_names_are_students(tmp_path: Path) -> None:
    write(tmp_path / "Zoë Ünal" / "exercise11.py")
    write(tmp_path / "Zoë Ünal" / "exercise12.ipynb", "{}")
    write(tmp_path / "ann_exercise12.py")
    entries, ignored = find(tmp_path)
    assert [(e.student, e.exercise, e.path.name if e.path else None) for e in entries] == [
        ("Zoë Ünal", "exercise11", "exercise11.py"),
        ("Zoë Ünal", "exercise12", "exercise12.ipynb"),
        ("ann_exercise12", "exercise12", "ann_exercise12.py"),
    ]
    assert entries[0].sha256 == hashlib.sha256(b"x = 1\n").hexdigest() and entries[0].problem is None
    assert ignored == []


def test_a_rubric_names_the_exercise_of_single_files_and_filters_folders(tmp_path: Path) -> None:
    write(tmp_path / "ann.py")
    write(tmp_path / "ben" / "exercise11.py")
    write(tmp_path / "ben" / "exercise12.py")
    entries, ignored = find(tmp_path, exercise="exercise11")
    assert [(e.student, e.exercise) for e in entries] == [("ann", "exercise11"), ("ben", "exercise11")]
    assert ignored == [Ignored("ben/exercise12.py", "not exercise11, the rubric's exercise")]


def test_stray_entries_are_ignored_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "README.txt")
    write(tmp_path / ".DS_Store")
    write(tmp_path / "ann" / "exercise11.py")
    write(tmp_path / "ann" / "helper.py")
    write(tmp_path / "ann" / "exercise11.ipynb", "{}")
    write(tmp_path / "ann" / "exercise99.py")
    write(tmp_path / "ann.ipynb", "{}")
    write(tmp_path / "grades.csv" / "exercise11.py")
    entries, ignored = find(tmp_path)
    assert [e.key for e in entries] == [("ann", "exercise11")]
    assert set(ignored) == {
        Ignored("README.txt", "not a student folder or a .py/.ipynb file"),
        Ignored("ann/helper.py", "not an exerciseNN.py or .ipynb file"),
        Ignored("ann/exercise11.ipynb", "exercise11.py is graded for exercise11"),
        Ignored("ann/exercise99.py", "the course has no rubric for exercise99"),
        Ignored("ann.ipynb", "another entry is already student 'ann'"),
        Ignored("grades.csv", "the batch writes its own grades.csv in the output folder"),
    }


def test_a_student_without_exercise_files_gets_an_entry_that_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "notes" / "notes.md")
    entries, _ = find(tmp_path)
    assert entries == [
        Entry("empty", "", None, problem=NO_EXERCISE_FILES),
        Entry("notes", "", None, problem=NO_EXERCISE_FILES),
    ]


def test_the_output_folder_inside_the_class_is_not_a_student(tmp_path: Path) -> None:
    write(tmp_path / "graded" / "results.jsonl", "")
    entries, ignored = find(tmp_path, skip=tmp_path / "graded")
    assert (entries, ignored) == ([], [])


def test_unreadable_files_are_entries_with_a_problem(tmp_path: Path) -> None:
    make_fifo(tmp_path / "ann" / "exercise11.py")
    (tmp_path / "ben" / "exercise11.py").mkdir(parents=True)
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "exercise11.py").symlink_to(tmp_path / "missing.py")
    entries, _ = find(tmp_path)
    assert [(e.student, e.sha256, e.problem) for e in entries] == [
        ("ann", "", "exercise11.py is a named pipe (FIFO), not a file"),
        ("ben", "", "exercise11.py is a directory, not a file"),
        ("cy", "", LINK.format("exercise11.py")),
    ]


@pytest.mark.parametrize("size", [0, 3 * 2**20 + 5])
def test_fingerprint_hashes_regular_files_of_any_size(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    (tmp_path / "f.py").write_bytes(data)
    assert fingerprint(tmp_path / "f.py") == (hashlib.sha256(data).hexdigest(), None)


def linked_class(directory: Path) -> Path:
    """Students whose entries are symbolic links: to another student's work, a course file, /etc."""
    ann = write(directory / "ann" / "exercise11.py")
    solution = find_course() / "reference" / "exercise11.py"
    (directory / "eve").symlink_to(ann.parent)  # a whole folder
    (directory / "mal_exercise11.py").symlink_to(ann)  # a single-file student
    (directory / "bob").mkdir()
    (directory / "bob" / "exercise11.py").symlink_to(solution)
    write(directory / "bob" / "exercise11.ipynb", "{}")  # a file: graded instead of the link
    (directory / "bob" / "course").symlink_to(solution.parent)  # a folder in a folder
    (directory / "cat").mkdir()
    (directory / "cat" / "exercise12.py").symlink_to("/etc/passwd")
    make_fifo(directory / "pipe")
    (directory / "cat" / "exercise11.py").symlink_to(directory / "pipe")  # opened, it would be a FIFO
    return directory


def test_symbolic_links_are_never_followed_and_always_named(tmp_path: Path) -> None:
    entries, ignored = find(linked_class(tmp_path / "class"))
    assert [(e.student, e.exercise, e.sha256, e.problem) for e in entries] == [
        ("ann", "exercise11", hashlib.sha256(b"x = 1\n").hexdigest(), None),
        ("bob", "exercise11", hashlib.sha256(b"{}").hexdigest(), None),
        ("cat", "exercise11", "", LINK.format("exercise11.py")),
        ("cat", "exercise12", "", LINK.format("exercise12.py")),
        ("mal_exercise11", "exercise11", "", LINK.format("mal_exercise11.py")),
    ]
    assert set(ignored) == {
        Ignored("bob/course", LINK.format("course")),
        Ignored("bob/exercise11.py", LINK.format("exercise11.py")),
        Ignored("eve", LINK.format("eve")),
        Ignored("pipe", "not a student folder or a .py/.ipynb file"),
    }


def test_a_batch_never_quotes_a_linked_file(tmp_path: Path) -> None:
    directory, out = tmp_path / "class", tmp_path / "out"
    (directory / "mal").mkdir(parents=True)
    (directory / "mal" / "exercise11.py").symlink_to("/etc/passwd")
    report = grade_batch(directory, out)
    assert (report.graded, report.failed) == (1, 1)
    row = json.loads((out / "results.jsonl").read_text())
    assert (row["status"], row["message"]) == ("error", LINK.format("exercise11.py"))
    secret = Path("/etc/passwd").read_text().splitlines()[0]
    assert not [path for path in out.rglob("*") if path.is_file() and secret in path.read_text()]
