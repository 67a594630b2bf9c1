"""The Python API: `grader.grade` and `grader.batch.grade_batch` called directly, as LMS glue does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import grader
from grader.batch import grade_batch
from grader.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    path = tmp_path / "exercise11.py"
    shutil.copy(ROOT / "reference" / "exercise11.py", path)
    return path


def test_grade_returns_the_result_json(submission: Path) -> None:
    result = grader.grade(submission, course=ROOT, timeout=20)
    assert (result["schema"], result["status"], result["score"]) == ("grader.result/1", "graded", 12.0)


def test_grade_rejects_a_misspelt_keyword(submission: Path) -> None:
    with pytest.raises(TypeError, match="atoll"):
        grader.grade(submission, atoll=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        grader.grade(submission, None)  # type: ignore[misc]  # every option is keyword-only


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"course": "/nonexistent"}, "/nonexistent: not a course directory"),
        ({"rtol": -1}, "invalid rtol -1 from the command line: expected a positive number"),
        ({"rubric": "/nonexistent.yaml"}, "invalid rubric /nonexistent.yaml: cannot read the file"),
    ],
)
def test_grade_raises_a_usage_error_for_what_cannot_be_graded(
    submission: Path, options: dict[str, object], problem: str
) -> None:
    with pytest.raises(UsageError, match=problem):
        grader.grade(submission, **options)  # type: ignore[arg-type]


def test_grade_batch_takes_the_same_flat_keywords(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="settings"):
        grade_batch(tmp_path, tmp_path / "out", settings={"timeout": 1})  # type: ignore[call-arg]
    with pytest.raises(UsageError, match="invalid timeout 'soon' from the command line"):
        grade_batch(tmp_path, tmp_path / "out", timeout="soon")  # type: ignore[arg-type]


def test_a_warning_names_the_submission_not_the_sandbox_copy(tmp_path: Path) -> None:
    path = tmp_path / "exercise11.py"
    shutil.copy(ROOT / "examples" / "submissions" / "exercise11.py", path)
    printed = grader.grade(path, course=ROOT)["stdout"]
    assert printed.startswith("exercise11.py:13: RuntimeWarning: divide by zero")
    assert "grader-sandbox" not in printed
