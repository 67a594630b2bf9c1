"""Every reference solution scores full marks, and the chapter is worth 100 points."""

import shutil
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.rubric import load
from tests.grading.student_matrix import Expect, assert_verdicts

COURSE = Path(__file__).resolve().parents[2]
EXERCISES = [f"exercise{n}" for n in range(11, 19)]


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_scores_full_marks(exercise: str, tmp_path: Path) -> None:
    target = tmp_path / f"{exercise}.py"
    shutil.copy(COURSE / "reference" / f"{exercise}.py", target)
    result = grade_submission(target, env={})
    assert_verdicts(result, Expect())
    assert result.score == result.max_score > 0


def test_the_chapter_is_worth_100_points() -> None:
    points = {e: load(COURSE / "rubrics" / f"{e}.yaml").max_score for e in EXERCISES}
    assert sum(points.values()) == 100, points
