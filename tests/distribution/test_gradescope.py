"""The Gradescope autograder zip: what it holds, and where (run on an image: test_autograder_image.py)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "exercise11.yaml"


@pytest.fixture
def autograder_zip(tmp_path: Path) -> Path:
    out = tmp_path / "autograder.zip"
    code, stdout, stderr = run_cli(["gradescope-zip", "--out", str(out), "--rubric", str(RUBRIC)])
    assert code == 0, stderr
    assert stdout == f"{out}: Gradescope autograder for exercise11\n"
    return out


def test_the_zip_holds_the_installable_grader_apart_from_the_course_data(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {
        "setup.sh",
        "run_autograder",
        "project/pyproject.toml",
        "project/grader/cli/__init__.py",
        "project/grader/sandbox/_audit.c",
        "project/grader/report/templates/report.html",
        "course/reference/exercise11.py",
        "course/reference/mistakes/exercise11.py",
        "course/exercises/exercise11.py",
    } <= names
    assert sorted(n for n in names if n.startswith("course/rubrics/")) == [
        "course/rubrics/exercise11.truth.json",
        "course/rubrics/exercise11.yaml",
    ]
    assert {n.split("/")[0] for n in names} == {"setup.sh", "run_autograder", "project", "course"}
    assert not [n for n in names if n.startswith("project/") and "reference" in n.split("/")]
    assert not any("__pycache__" in n or n.endswith((".pyc", ".so")) for n in names)
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR


def test_the_zip_is_reproducible(autograder_zip: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    run_cli(["gradescope-zip", "--out", str(again), "--rubric", str(RUBRIC)])
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_an_invalid_rubric_fails_the_build(tmp_path: Path) -> None:
    broken = tmp_path / "exercise11.yaml"
    broken.write_text("exercise: exercise11\n")
    code, _, err = run_cli(["gradescope-zip", "--out", str(tmp_path / "a.zip"), "--rubric", str(broken)])
    assert code == 2 and err.startswith(f"grade: invalid rubric {broken}")
    assert not (tmp_path / "a.zip").exists()
