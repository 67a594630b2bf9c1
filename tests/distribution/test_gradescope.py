"""The Gradescope autograder zip: its contents, and run_autograder in a fake /autograder/."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from grader.outputs.gradescope import FAILED_TEST
from tests.cli_helpers import run_cli
from tests.notebook.convert import notebook_of
from tests.outputs.schemas import assert_gradescope

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "rubrics" / "exercise11.yaml"
STUDENT = ROOT / "tests" / "students" / "exercise11" / "forgot_divide_by_n.py"


@pytest.fixture
def autograder_zip(tmp_path: Path) -> Path:
    out = tmp_path / "autograder.zip"
    code, stdout, stderr = run_cli(["gradescope-zip", "--out", str(out), "--rubric", str(RUBRIC)])
    assert code == 0, stderr
    assert stdout == f"{out}: Gradescope autograder for exercise11\n"
    return out


def test_the_zip_holds_scripts_grader_reference_and_only_the_chosen_rubric(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "reference/exercise11.py"} <= names
    assert {
        "grader/cli/__init__.py",
        "grader/report/templates/report.html",
        "reference/mistakes/exercise11.py",
    } <= names
    assert sorted(n for n in names if n.startswith("rubrics/")) == [
        "rubrics/exercise11.truth.json",
        "rubrics/exercise11.yaml",
    ]
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


def run_autograder(
    autograder_zip: Path, root: Path, submission: Path | None, notebook: str | None = None
) -> dict[str, Any]:
    """Lay out `root` like /autograder/ and run run_autograder with this interpreter; the student
    hands in `submission` as exercise11.py and, if given, `notebook` as exercise11.ipynb."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    if submission:
        shutil.copy(submission, root / "submission" / "exercise11.py")
    if notebook:
        (root / "submission" / "exercise11.ipynb").write_text(notebook)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads((root / "results" / "results.json").read_text())
    assert_gradescope(data)
    return data


@pytest.mark.slow
def test_run_autograder_grades_the_submission(autograder_zip: Path, tmp_path: Path) -> None:
    data = run_autograder(autograder_zip, tmp_path / "autograder", STUDENT)
    assert data["score"] == 4.0
    assert len(data["tests"]) == 5
    backward = next(t for t in data["tests"] if t["name"].startswith("mlp_backward matches numerical"))
    assert "Hint: Your gradients are exactly N times too large" in backward["output"]


@pytest.mark.slow
def test_run_autograder_without_a_submission_still_writes_results(
    autograder_zip: Path, tmp_path: Path
) -> None:
    data = run_autograder(autograder_zip, tmp_path / "autograder", None)
    assert data["score"] == 0
    assert data["tests"][0]["name"] == FAILED_TEST
    assert "exercise11.py: no such file or directory" in data["tests"][0]["output"]


@pytest.mark.slow
def test_run_autograder_grades_the_notebook_beside_an_untouched_starter(
    autograder_zip: Path, tmp_path: Path
) -> None:
    """The student worked in the notebook and handed in the starter .py too, as the course ships them."""
    solved = notebook_of((ROOT / "reference" / "exercise11.py").read_text())
    starter = ROOT / "exercises" / "exercise11.py"
    data = run_autograder(autograder_zip, tmp_path / "autograder", starter, solved)
    assert data["score"] == 12.0
    assert "exercise11.ipynb is graded: exercise11.py is the untouched starter" in data["output"]
