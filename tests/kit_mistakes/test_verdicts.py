"""The kit's `grade exerciseNN.py` gives the course autograder's verdict on every public check.

Every student under tests/students/ is graded twice in this process: with the course (its
reference and the wrong variants under reference/mistakes/) and with the kit (no reference).
Each visible check must reach the same status and points and name the same mistake, the check
and its distinct failures. The only difference allowed is a check the kit cannot run: one that
needs the reference is skipped and says it runs on the course autograder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.checks.base import NOT_AVAILABLE
from grader.result import CheckResult
from grader.rubric import load
from tests.grading.student_matrix import STUDENTS
from tests.kit_mistakes.conftest import COURSE

#: A hanging student's verdict depends on the clock (how far each run got), not on the course's data.
SUBMISSIONS = sorted(path for path in STUDENTS.glob("exercise*/*.py") if path.stem != "hangs")


def verdict(check: CheckResult) -> tuple[str, float, str | None, set[str | None]]:
    """Status, points and the mistakes named, by the check and among its distinct failures.

    Which cases a mistake is named on is left out: `=` instead of `+=` on a diamond graph returns
    what the last of its two paths gave, and which one comes last follows the order of a set of
    nodes, which varies from run to run for the submission and the course's variant alike.
    """
    named = {failure.misconception for failure in check.failures} - {None}
    return check.status, round(check.points, 9), check.misconception, named


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_kit_judges_and_names_every_public_check_like_the_course(
    path: Path, kit: Path, tmp_path: Path
) -> None:
    exercise = path.parent.name
    kinds = {check.id: check.kind for check in load(COURSE / "rubrics" / f"{exercise}.yaml").checks}
    target = tmp_path / f"{exercise}.py"
    shutil.copy(path, target)
    course = grade_submission(target, course_dir=COURSE, env={})
    student = grade_submission(target, course_dir=kit, env={})
    compared = 0
    for theirs, ours in zip(course.checks, student.checks, strict=True):
        if theirs.visibility != "visible":
            continue
        if ours.status == "skipped" and theirs.status != "skipped":
            assert (kinds[ours.id], ours.message) in {
                ("reference", NOT_AVAILABLE),
                ("resource", NOT_AVAILABLE),
            }
        elif kinds[ours.id] != "resource":  # measured again in each run: the machine's load, not the course
            assert verdict(ours) == verdict(theirs), f"{ours.id}: {ours.message}"
            compared += 1
    assert compared
