"""Who is in a batch: students, their files, and a reason for everything left out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest

from grader.batch import grade_batch
from grader.batch.discover import (
    LINK,
    NO_EXERCISE_FILES,
    NO_RUBRIC,
    UNKNOWN_EXERCISE,
    Entry,
    File,
    Ignored,
    Roll,
    discover,
    fingerprint,
)
from grader.course import find_course
from tests.batch.classes import make_fifo, rows

KNOWN = {"exercise11", "exercise12"}


def scan(directory: Path, exercise: str | None = None, skip: Path | None = None) -> Roll:
    return discover(directory, exercise, KNOWN.__contains__, skip or directory / "out", course=None)


def find(
    directory: Path, exercise: str | None = None, skip: Path | None = None
) -> tuple[list[Entry], list[Ignored]]:
    roll = scan(directory, exercise, skip)
    return roll.entries, roll.ignored


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_single_files_and_odd_names_are_students(tmp_path: Path) -> None:
    write(tmp_path / "Zoë Ünal" / "exercise11.py")
    write(tmp_path / "Zoë Ünal" / "exercise12.ipynb", "{}")
    write(tmp_path / "ann_exercise12.py")
    entries, ignored = find(tmp_path)
    assert [(e.student, e.exercise, [f.path.name for f in e.files]) for e in entries] == [
        ("Zoë Ünal", "exercise11", ["exercise11.py"]),
        ("Zoë Ünal", "exercise12", ["exercise12.ipynb"]),
        ("ann_exercise12", "exercise12", ["ann_exercise12.py"]),
    ]
    assert entries[0].fingerprint == entries[0].files[0].sha256 == sha("x = 1\n")
    assert entries[0].problem is None and entries[0].reason is None
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
    write(tmp_path / "ann" / "exercise11_v2.py")
    write(tmp_path / "ann" / "exercise99.py")
    write(tmp_path / "ann.ipynb", "{}")
    write(tmp_path / "grades.csv" / "exercise11.py")
    entries, ignored = find(tmp_path)
    assert [e.key for e in entries] == [("ann", "exercise11")]
    assert set(ignored) == {
        Ignored("README.txt", "not a student folder or a .py/.ipynb file"),
        Ignored("ann/helper.py", "not an exerciseNN.py or .ipynb file"),
        Ignored("ann/exercise11_v2.py", "exercise11.py is graded for exercise11"),
        Ignored("ann/exercise99.py", "the course has no rubric for exercise99"),
        Ignored("ann.ipynb", "another entry is already student 'ann'"),
        Ignored("grades.csv", "the batch writes its own grades.csv in the output folder"),
    }


def test_a_student_without_exercise_files_gets_an_entry_that_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "notes" / "notes.md")
    entries, _ = find(tmp_path)
    assert entries == [
        Entry("empty", "", problem=NO_EXERCISE_FILES),
        Entry("notes", "", problem=NO_EXERCISE_FILES),
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
    assert [(e.student, e.fingerprint, e.problem) for e in entries] == [
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
    assert [(e.student, e.exercise, e.fingerprint, e.problem) for e in entries] == [
        ("ann", "exercise11", sha("x = 1\n"), None),
        ("bob", "exercise11", sha("{}"), None),
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
    assert (report.counts.submissions, report.counts.not_graded) == (1, 1)
    [row] = rows(out)
    assert (row["status"], row["message"]) == ("error", LINK.format("exercise11.py"))
    secret = Path("/etc/passwd").read_text().splitlines()[0]
    assert not [path for path in out.rglob("*") if path.is_file() and secret in path.read_text()]


STARTER = 'def mlp_backward(X, y, cache):\n    raise NotImplementedError("mlp_backward: your code here")\n'
WORK = "def mlp_backward(X, y, cache):\n    return 1, 2, 3, 4\n"


def notebook(code: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course whose starters of exercise 11 are STARTER, in both forms."""
    write(tmp_path / "course" / "exercises" / "exercise11.py", STARTER)
    write(tmp_path / "course" / "exercises" / "exercise11.ipynb", notebook(STARTER))
    return tmp_path / "course"


def both_forms(directory: Path, module: str, code: str) -> Entry:
    """The entry of a student folder holding exercise11.py (`module`) and exercise11.ipynb (`code`)."""
    write(directory / "ann" / "exercise11.py", module)
    write(directory / "ann" / "exercise11.ipynb", notebook(code))
    roll = discover(directory, None, KNOWN.__contains__, directory / "out", directory.parent / "course")
    assert roll.ignored == []
    [entry] = roll.entries
    return entry


def graded(entry: Entry) -> list[str]:
    return [f.path.name for f in entry.graded]


def test_an_untouched_starter_gives_way_to_the_edited_notebook(tmp_path: Path, course: Path) -> None:
    entry = both_forms(tmp_path / "class", STARTER, WORK)
    assert graded(entry) == ["exercise11.ipynb"]
    assert entry.reason == "exercise11.ipynb is graded: exercise11.py is the untouched starter"


def test_both_forms_edited_are_both_graded(tmp_path: Path, course: Path) -> None:
    entry = both_forms(tmp_path / "class", WORK, WORK + "# mine\n")
    assert graded(entry) == ["exercise11.py", "exercise11.ipynb"]
    assert entry.reason is not None and "were both edited" in entry.reason


def test_two_untouched_starters_grade_the_module(tmp_path: Path, course: Path) -> None:
    entry = both_forms(tmp_path / "class", STARTER, STARTER)
    assert graded(entry) == ["exercise11.py"]
    assert entry.reason == "exercise11.py is graded: it and exercise11.ipynb are both the untouched starter"


def test_resume_fingerprints_both_forms_even_when_one_gives_way(tmp_path: Path, course: Path) -> None:
    before = both_forms(tmp_path / "class", STARTER, WORK)
    assert before.fingerprint not in {f.sha256 for f in before.files}
    after = both_forms(tmp_path / "class", STARTER + "# started\n", WORK)  # the notebook is unchanged
    assert after.fingerprint != before.fingerprint


def test_a_readable_form_is_graded_before_an_unreadable_one(tmp_path: Path) -> None:
    make_fifo(tmp_path / "ann" / "exercise11.py")
    write(tmp_path / "ann" / "exercise11.ipynb", "{}")
    entries, ignored = find(tmp_path)
    assert [(e.files, e.problem) for e in entries] == [
        ((File(tmp_path / "ann" / "exercise11.ipynb", sha("{}")),), None)
    ]
    assert ignored == [Ignored("ann/exercise11.py", "exercise11.ipynb is graded for exercise11")]


def test_nothing_to_grade_because_of_the_options_is_a_usage_problem(tmp_path: Path) -> None:
    for name in ("ann", "bob", "cy", "dee"):
        write(tmp_path / f"{name}.py")
    assert scan(tmp_path).usage_problem() == (
        f"nothing to grade: {UNKNOWN_EXERCISE}: ann.py, bob.py, cy.py and 1 more"
    )
    write(tmp_path / "eve" / "exercise12.py")
    write(tmp_path / "fay_exercise13.py")
    assert scan(tmp_path, exercise="exercise11").usage_problem() is None  # the single files are graded
    assert scan(tmp_path).usage_problem() is None  # eve can be graded: the others are rows
    (tmp_path / "eve" / "exercise12.py").unlink()
    assert scan(tmp_path).usage_problem() == (
        f"nothing to grade: {UNKNOWN_EXERCISE}: ann.py, bob.py, cy.py and 1 more; "
        f"{NO_RUBRIC}: fay_exercise13.py"
    )


def test_files_that_cannot_be_read_are_no_usage_problem(tmp_path: Path) -> None:
    make_fifo(tmp_path / "ann" / "exercise11.py")
    (tmp_path / "bob").mkdir()
    roll = scan(tmp_path)
    assert [e.problem for e in roll.entries] == [
        "exercise11.py is a named pipe (FIFO), not a file",
        NO_EXERCISE_FILES,
    ]
    assert roll.misfits == {} and roll.usage_problem() is None
