"""Student matrix for exercise 18: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from tests.grading.student_matrix import Checks, Expect, assert_verdicts, grade_student, hung_at

GRADIENTS = ("checkpoint_sequential.gradcheck", "checkpoint_sequential.reference")
OBSERVED = tuple(f"checkpoint_sequential.{name}" for name in ("memory", "forwards", "segments"))
MEASURED = ("checkpoint_sequential.memory", "checkpoint_sequential.cost")


def checks(ids: tuple[str, ...], status: str, misconception: str | None) -> Checks:
    return {check: (status, misconception) for check in ids}


KNOCK_ON = "(a knock-on of checkpoint_sequential.gradcheck failing: fix that first)"

MATRIX = {
    "correct": Expect(),
    "no_recomputation": Expect(
        checks(OBSERVED[::2], "failed", "no-recomputation"),
        {
            "checkpoint_sequential.memory": "the forward pass kept every cache (nothing was recomputed)",
            "checkpoint_sequential.segments": "backward ran no block's forward again",
        },
    ),
    "stale_caches": Expect(
        # Efficiency earns points only with a correct answer: wrong gradients fail the measured checks too,
        # and the measured checks say that they follow from the gradient check.
        {**checks(GRADIENTS, "failed", "stale-caches"), **checks(MEASURED, "failed", None)},
        {
            "checkpoint_sequential.gradcheck": "block 6's dW is off: 9 of 9 entries differ",
            **{check: KNOCK_ON for check in MEASURED},
        },
    ),
    "mismatched_caches": Expect(
        {**checks(GRADIENTS, "failed", "mismatched-caches"), **checks(MEASURED, "failed", None)},
        {"checkpoint_sequential.gradcheck": "block 6's dW is off: 9 of 9 entries differ"},
    ),
    "unbalanced_segments": Expect(
        checks(OBSERVED[2:], "failed", "unbalanced-segments"),
        {
            "checkpoint_sequential.segments": (
                "10 blocks in 4 segments: segments of sizes 1, 3, 3, 3; expected 4 segments whose sizes "
                "differ by at most one (3, 3, 2, 2 in some order) [1 of 2 cases failed"
            )
        },
    ),
    "recompute_from_input": Expect(
        checks((*OBSERVED[1:], "checkpoint_sequential.cost"), "failed", None),
        {
            "checkpoint_sequential.cost": "of CPU",
            "checkpoint_sequential.forwards": "16 blocks in 4 segments: block 0's forward ran 5 times",
            "checkpoint_sequential.segments": "backward ran 40 block forwards in 4 runs for 16 blocks",
        },
    ),
    "wrong_shape": Expect(
        {**checks(GRADIENTS, "failed", None), **checks(MEASURED, "error", None)},
        {
            "checkpoint_sequential.gradcheck": "dx has shape (3, 2), expected (2, 3): transposed?",
            "checkpoint_sequential.memory": "dx has shape (1024, 32), expected (32, 1024)",
        },
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    assert_verdicts(grade_student("exercise18", name, tmp_path), MATRIX[name])


@pytest.mark.slow
def test_a_hang_in_backward_times_out_and_the_static_check_is_still_graded(tmp_path: Path) -> None:
    result = grade_student("exercise18", "hangs", tmp_path, timeout=1)
    assert_verdicts(result, Expect(checks(GRADIENTS + OBSERVED + MEASURED, "timeout", None)))
    assert 13 <= hung_at(result.checks[0].message) <= 20  # the `while k >= 0` loop that never moves k
    assert result.score == 1
