"""`grade starters [DIR]` hands out the chapter's starters and never overwrites a student's work."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import course
from grader.errors import CourseError
from tests.cli_helpers import run_cli

COURSE = Path(__file__).resolve().parents[2]
STARTERS = sorted(p.name for p in (COURSE / "exercises").iterdir())


def test_starters_writes_every_starter_into_a_new_folder(tmp_path: Path) -> None:
    folder = tmp_path / "chapter11"
    code, out, err = run_cli(["starters", str(folder)])
    assert (code, err) == (0, "")
    assert (
        sorted(p.name for p in folder.iterdir())
        == STARTERS
        == sorted([f"exercise{n}.py" for n in range(11, 19)] + [f"exercise{n}.ipynb" for n in range(11, 19)])
    )
    assert all((folder / name).read_text() == (COURSE / "exercises" / name).read_text() for name in STARTERS)
    assert out.splitlines()[-1] == (
        "16 starters written (exercise11 to exercise18, .py and .ipynb); "
        "when an exercise is done: grade exerciseNN.py (or .ipynb)"
    )


def test_starters_default_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(["starters"])[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == STARTERS


def test_starters_write_nothing_when_a_student_file_is_there(tmp_path: Path) -> None:
    (tmp_path / "exercise12.ipynb").write_text("my notebook")
    (tmp_path / "exercise11.py").write_text("my work")
    code, out, err = run_cli(["starters", str(tmp_path)])
    assert (code, out) == (2, "")
    assert err == (
        f"grade: {tmp_path} already holds exercise11.py, exercise12.ipynb: nothing written "
        "(rename or move them, or give another folder)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exercise11.py", "exercise12.ipynb"]
    assert (tmp_path / "exercise11.py").read_text() == "my work"


def test_starters_come_from_the_course_given(tmp_path: Path) -> None:
    kit = COURSE / "grader" / "kit"
    assert run_cli(["starters", str(tmp_path / "out"), "--course", str(kit)])[0] == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == STARTERS
    (tmp_path / "empty" / "rubrics").mkdir(parents=True)
    code, _, err = run_cli(["starters", str(tmp_path / "out2"), "--course", str(tmp_path / "empty")])
    assert (code, err) == (2, f"grade: {tmp_path / 'empty'} has no starters (exercises/exerciseNN.py)\n")
    assert not (tmp_path / "out2").exists()


def test_the_help_says_nothing_is_overwritten() -> None:
    code, out, _ = run_cli(["starters", "--help"])
    text = " ".join(out.split())
    assert code == 0 and "nothing is written" in text and "default: the current directory" in text


def test_the_course_is_the_checkout_when_the_package_runs_from_it() -> None:
    assert course.find_course() == COURSE


def test_the_course_is_the_kit_when_the_package_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed wheel: the package's parent (site-packages) holds no rubrics/, its kit does."""
    kit = tmp_path / "site-packages" / "grader" / "kit"
    monkeypatch.setattr(course, "KIT", kit)
    with pytest.raises(CourseError, match="site-packages has no rubrics/ folder"):
        course.find_course()
    (kit / "rubrics").mkdir(parents=True)
    assert course.find_course() == kit


def test_starters_into_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = run_cli(["starters", str(tmp_path / "notes.txt")])
    assert (code, out) == (2, "")
    notes = tmp_path / "notes.txt"
    assert err == f"grade: {notes} is a file, not a folder: give the folder to write the starters into\n"
    assert (tmp_path / "notes.txt").read_text() == "mine"
