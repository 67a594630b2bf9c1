"""examples/github-actions/grade.yml works as written: its `run:` steps (install, grade with the
threshold) run with bash in a student's repository, the locally built wheel standing in for where
the course publishes the kit (CI reaches only package indexes). The `uses:` steps are GitHub's own."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.kit.conftest import COURSE, Built, Venv

pytestmark = pytest.mark.slow

WORKFLOW = COURSE / "examples" / "github-actions" / "grade.yml"
STUDENTS = COURSE / "tests" / "students" / "exercise11"
#: Between what the kit gives a correct exercise 11 and one that forgot to divide by N.
THRESHOLD = "0.5"


def run_workflow(venv: Venv, wheel: Path, repository: Path, **env: str) -> list[tuple[str, int]]:
    """Each `run:` step's name and exit status, in order, up to the first that fails (as GitHub does)."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    environ = {**venv.environ(), **workflow["env"], "GRADER": str(wheel), **env}
    outcomes = []
    for step in workflow["jobs"]["grade"]["steps"]:
        if "run" not in step:
            continue
        done = subprocess.run(  # GitHub's default shell on Linux: bash -e {0}
            ["bash", "-e", "-c", step["run"]], cwd=repository, env=environ, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        outcomes.append((step["name"], done.returncode))
        if done.returncode:
            break
    return outcomes


def repository(tmp_path: Path, student: str) -> Path:
    """A student's repository holding their exercise 11."""
    shutil.copy(STUDENTS / f"{student}.py", tmp_path / "exercise11.py")
    return tmp_path


def reports(repository: Path) -> dict[str, object]:
    folder = repository / "grade-reports"
    return {
        "files": sorted(path.name for path in folder.iterdir()),
        "exercise": json.loads((folder / "results.json").read_text())["exercise"],
    }


def test_the_workflow_installs_the_kit_and_passes_a_student_at_the_threshold(
    built: Built, kit_venv: Venv, tmp_path: Path
) -> None:
    student = repository(tmp_path, "correct")
    outcomes = run_workflow(kit_venv, built.wheel, student, MIN_SCORE=THRESHOLD)
    assert outcomes == [("Install the grader", 0), ("Grade", 0)]
    assert reports(student) == {
        "files": ["exercise11.html", "junit.xml", "results.json"],
        "exercise": "exercise11",
    }


def test_below_the_threshold_the_job_fails_and_the_reports_are_still_written(
    built: Built, kit_venv: Venv, tmp_path: Path
) -> None:
    student = repository(tmp_path, "forgot_divide_by_n")
    outcomes = run_workflow(kit_venv, built.wheel, student, MIN_SCORE=THRESHOLD)
    assert outcomes == [("Install the grader", 0), ("Grade", 1)]
    assert reports(student) == {
        "files": ["exercise11.html", "junit.xml", "results.json"],
        "exercise": "exercise11",
    }


def test_a_correct_exercise_passes_the_workflows_own_threshold(
    built: Built, kit_venv: Venv, tmp_path: Path
) -> None:
    outcomes = run_workflow(kit_venv, built.wheel, repository(tmp_path, "correct"))
    assert outcomes == [("Install the grader", 0), ("Grade", 0)]
