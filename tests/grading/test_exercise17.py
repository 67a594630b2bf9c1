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
            "jacobian_forward.cost": "efficiency earns points only with a correct answer "
            "(a knock-on of jacobian_forward.gradcheck failing: fix that first)",
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
    "two_bugs": Expect(
        {
            "dual.operators": ("failed", None),
            **checks(("jvp.reference", "jvp.evaluations", "jacobians.reference"), "error", None),
            **checks(("jacobian_forward.gradcheck", "jacobian_forward.evaluations"), "error", None),
        },
        {"dual.operators": "__truediv__ (a / b): tangent is off"},
    ),
    "empty_order": Expect(
        checks((*REVERSE[::2], REVERSE_COST), "failed", None),
        {
            "jacobian_reverse.gradcheck": "row 0 of mixed (n=3, m=4): J[0] is exactly 0, where the correct "
            "gradient is not: no derivative got through the graph"
        },
    ),
    "missing_reverse": Expect(
        # The static point needs every graded function defined (the student's own work).
        {**checks((*REVERSE, REVERSE_COST), "error", None), "by-hand.static": ("failed", None)},
        {"jacobian_reverse.gradcheck": "exercise17.py does not define jacobian_reverse"},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    assert_verdicts(grade_student("exercise17", name, tmp_path), MATRIX[name])


@pytest.mark.slow
def test_each_distinct_failure_of_a_check_is_explained_once(tmp_path: Path) -> None:
    result = grade_student("exercise17", "two_bugs", tmp_path)
    operators = next(check for check in result.checks if check.id == "dual.operators")
    assert [(failure.cases, failure.message) for failure in operators.failures] == [
        (["__truediv__ (a / b)"], operators.message.split(" [")[0]),
        (
            ["__rtruediv__ (2 / a)"],
            "__rtruediv__ (2 / a): TypeError: unsupported operand type(s) for /: 'float' and 'Dual'",
        ),
    ]
    forward = next(check for check in result.checks if check.id == "jacobian_forward.gradcheck")
    assert [len(failure.cases) for failure in forward.failures] == [4, 1]


@pytest.mark.slow
def test_one_cause_in_every_case_is_one_failure(tmp_path: Path) -> None:
    result = grade_student("exercise17", "empty_order", tmp_path)
    reverse = next(check for check in result.checks if check.id == "jacobian_reverse.gradcheck")
    assert [len(failure.cases) for failure in reverse.failures] == [10]
    assert reverse.details["first_wrong"] == "J[0]"
