"""Student matrix for exercise 17: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from tests.grading.student_matrix import Checks, Expect, assert_verdicts, grade_student

FORWARD_MODE = ("dual.operators", "jvp.reference", "jacobian_forward.gradcheck", "jacobians.reference")
REVERSE = ("jacobian_reverse.gradcheck", "jacobian_reverse.evaluations", "jacobians.reference")
REVERSE_COST = "jacobian_reverse.cost"


def checks(ids: tuple[str, ...], status: str, misconception: str | None) -> Checks:
    return {check: (status, misconception) for check in ids}


MATRIX = {
    "correct": Expect(),
    "tangents_multiplied": Expect(
        # Efficiency earns points only with a correct answer: the wrong Jacobian fails the cost check too.
        {**checks(FORWARD_MODE, "failed", "tangents-multiplied"), "jacobian_forward.cost": ("failed", None)},
        {
            "dual.operators": "__sub__ (a - b): tangent is off",
            "jvp.reference": "mixed (n=3, m=4): J v",
            "jacobian_forward.cost": "efficiency earns points only with a correct answer",
        },
    ),
    "product_rule_half": Expect(
        checks(FORWARD_MODE, "failed", "product-rule-half"),
        {
            "dual.operators": "__mul__ (a * b): tangent is off",
            "jacobian_forward.gradcheck": "row 0 of mixed (n=3, m=4): J[0] is off",
        },
    ),
    "jvp_twice": Expect(
        checks(("jvp.evaluations", "jacobian_forward.evaluations"), "failed", "extra-evaluations"),
        {"jvp.evaluations": "mixed (n=3, m=4): jvp evaluated f 2 times for n = 3 inputs and m = 4 outputs"},
    ),
    "forward_extra_evaluation": Expect(
        checks(("jacobian_forward.evaluations",), "failed", "extra-evaluations"),
        {"jacobian_forward.evaluations": "jacobian_forward evaluated f 4 times for n = 3 inputs"},
    ),
    "reverse_per_output": Expect(
        checks(("jacobian_reverse.evaluations",), "failed", "extra-evaluations"),
        {"jacobian_reverse.evaluations": "jacobian_reverse evaluated f 5 times for n = 3 inputs and m = 4"},
    ),
    "grads_not_reset": Expect(
        checks(REVERSE[::2], "failed", "grads-not-reset"),
        {"jacobian_reverse.gradcheck": "row 1 of mixed (n=3, m=4): J[1] is off"},
    ),
    "missing_reverse": Expect(
        checks((*REVERSE, REVERSE_COST), "error", None),
        {"jacobian_reverse.gradcheck": "exercise17.py does not define jacobian_reverse"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    assert_verdicts(grade_student("exercise17", name, tmp_path), MATRIX[name])
