"""Student matrix for exercise 16: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from tests.grading.student_matrix import Checks, Expect, assert_verdicts, grade_student

BACKWARD = ("layernorm_backward.gradcheck", "layernorm_backward.reference")


def backward(status: str, misconception: str | None = None) -> Checks:
    return {check: (status, misconception) for check in BACKWARD}


MATRIX = {
    "correct": Expect(),
    "no_coupling": Expect(
        backward("failed", "no-mean-variance-coupling"),
        {"layernorm_backward.gradcheck": "dx is off: 20 of 20 entries differ"},
    ),
    "dgamma_sum_dout": Expect(
        backward("failed", "dgamma-without-xhat"), {"layernorm_backward.gradcheck": "dgamma is off"}
    ),
    "dgamma_uses_x": Expect(
        backward("failed", "dgamma-uses-x"), {"layernorm_backward.reference": "dgamma is off"}
    ),
    "dbeta_by_mean": Expect(
        backward("failed", "dbeta-by-mean"),
        {"layernorm_backward.gradcheck": "dbeta is off: 5 of 5 entries differ"},
    ),
    "unbiased_variance": Expect(
        {"layernorm_forward.reference": ("failed", "unbiased-variance")},
        {"layernorm_forward.reference": "y is off: 20 of 20 entries differ"},
    ),
    "layernorm_eps": Expect(
        {
            "layernorm_forward.reference": ("failed", "eps-not-1e-5"),
            **backward("failed", "eps-not-1e-5"),
        },
        {
            "layernorm_forward.reference": "the values are close (within 0.11%) but off: "
            "they match the classic mistake “An eps other than 1e-5”",
            "layernorm_backward.gradcheck": "dgamma is off: 5 of 5 entries differ",
        },
    ),
    "wrong_shape": Expect(
        backward("failed"),
        {
            "layernorm_backward.gradcheck": "dbeta has shape (1, 5), expected (5,): an extra length-1 axis "
            "(keepdims=True, or a reshape?); reshaped to (5,), its values are right"
        },
    ),
    "raises": Expect(
        backward("error"),
        {"layernorm_backward.gradcheck": "ValueError (line 12): not enough values to unpack (expected 3"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    assert_verdicts(grade_student("exercise16", name, tmp_path), MATRIX[name])
