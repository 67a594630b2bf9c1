"""A course without its solutions (the student kit) judges every visible check like the autograder.

The kit has the rubrics and the correct values shipped next to them (`rubrics/*.truth.json`)
but no `reference/`: gradient checks and truth-backed properties must reach the same verdict
and points from those values as the course does from its reference.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.checks.gradcheck import CONDITIONAL
from grader.result import Result
from tests.grading.student_matrix import STUDENTS

COURSE = Path(__file__).resolve().parents[2]
#: Checks judged against correct values: the kit must agree on them (references and measured
#: checks are skipped or measured again, so they may differ).
JUDGED_BY_TRUTH = (".gradcheck", ".stable", ".valid", ".calls", ".expressions", ".deep", ".property")
SUBMISSIONS = sorted(
    [path for path in STUDENTS.glob("exercise*/*.py") if path.stem != "hangs"]
    + list((COURSE / "reference").glob("exercise1?.py"))
)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("kit")
    shutil.copytree(COURSE / "rubrics", course / "rubrics")
    return course


def judged(result: Result) -> dict[str, tuple[str, float]]:
    return {c.id: (c.status, round(c.points, 9)) for c in result.checks if c.id.endswith(JUDGED_BY_TRUTH)}


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_kit_gives_the_autograders_verdict(path: Path, kit: Path, tmp_path: Path) -> None:
    exercise = path.stem if path.parent.name == "reference" else path.parent.name
    target = tmp_path / f"{exercise}.py"
    shutil.copy(path, target)
    course, student = grade_submission(target, env={}), grade_submission(target, course_dir=kit, env={})
    assert judged(student) == judged(course)
    assert not any(CONDITIONAL.split(":")[0] in (c.message or "") for c in student.checks)
