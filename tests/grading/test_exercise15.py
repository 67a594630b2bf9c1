"""Student matrix for exercise 15: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from tests.grading.student_matrix import Checks, Expect, assert_verdicts, grade_student

VJP = ("softmax_backward.gradcheck", "backward.reference")
#: Efficiency earns points only with a correct answer: a wrong VJP fails the memory check too.
WRONG_ON_THE_MEASURED_CALL = {"softmax_backward.memory": ("failed", None)}
CROSS_ENTROPY = ("softmax_cross_entropy_backward.gradcheck", "backward.reference")


def checks(ids: tuple[str, ...], status: str, misconception: str | None) -> Checks:
    return {check: (status, misconception) for check in ids}


#: The memory check's wrong answer follows from the gradient check's failure, and says so.
KNOCK_ON = (
    "efficiency earns points only with a correct answer (a knock-on of softmax_backward.gradcheck failing"
)

MATRIX = {
    "correct": Expect(),
    "missing_subtraction": Expect(
        {**checks(VJP, "failed", "missing-subtraction"), **WRONG_ON_THE_MEASURED_CALL},
        {
            "softmax_backward.gradcheck": "dz is off: 20 of 20 entries differ",
            "softmax_backward.memory": KNOCK_ON,
        },
    ),
    "wrong_sum_axis": Expect(
        {**checks(VJP, "failed", "wrong-sum-axis"), **WRONG_ON_THE_MEASURED_CALL},
        {
            "backward.reference": "softmax_backward is off",
            "softmax_backward.memory": "the answer is off: 4096 of 4096 entries differ",
        },
    ),
    "unstable_softmax": Expect(
        checks(("softmax.stable",), "failed", "unstable-softmax"),
        {"softmax.stable": "logits around 1000: softmax(z) contains NaN or inf [2 of 2 cases failed"},
    ),
    "materialised_jacobian": Expect(
        checks(("softmax_backward.memory",), "failed", "materialised-jacobian"),
        {"softmax_backward.memory": "a row of 4096 classes: the call used "},
    ),
    "forgot_divide_by_n": Expect(
        checks(CROSS_ENTROPY, "failed", "forgot-divide-by-n"),
        {"softmax_cross_entropy_backward.gradcheck": "every entry is 5 times the expected value"},
    ),
    "nan_gradient": Expect(
        checks(CROSS_ENTROPY, "failed", None),
        {"softmax_cross_entropy_backward.gradcheck": "dz is NaN at [0, 0] where a finite value was expected"},
    ),
    "uses_torch": Expect(
        {"by-hand.static": "failed"},
        {"by-hand.static": "exercise15.py imports torch (line 25): this exercise must be done by hand"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    result = grade_student("exercise15", name, tmp_path)
    assert_verdicts(result, MATRIX[name])
    assert [f.rule for f in result.integrity] == (["forbidden-import"] if name == "uses_torch" else [])
