"""Who is in a batch: students, their files, and a reason for everything left out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from grader.batch.discover import NO_EXERCISE_FILES, Entry, Ignored, discover, fingerprint
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
        ("cy", "", "exercise11.py is a broken symbolic link"),
    ]


@pytest.mark.parametrize("size", [0, 3 * 2**20 + 5])
def test_fingerprint_hashes_regular_files_of_any_size(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    (tmp_path / "f.py").write_bytes(data)
    assert fingerprint(tmp_path / "f.py") == (hashlib.sha256(data).hexdigest(), None)
