"""Student matrix for exercise 12: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from grader.probes.engines import UNREACHED
from tests.grading.student_matrix import Expect, assert_verdicts, grade_student, hung_at

COURSE = Path(__file__).resolve().parents[2]
OPERATORS = "operators.gradcheck"
#: Where every gradient 0 is told apart from the other mistakes: not micrograd's own expressions,
#: to which an overwritten gradient can give 0 as well.
NEVER_ZERO = (OPERATORS, "accumulation.gradcheck")
WORKED = "worked_example.reference"
NEVER_REACHED_X = "a chain 10,000 nodes deep: x.grad is still 0 after backward(): the pass never reached x"


def named(misconception: str, *checks: str) -> dict[str, str | tuple[str, str | None]]:
    """The gradient checks that fail and name `misconception`; the hidden one only fails."""
    return {**{check: ("failed", misconception) for check in checks}, "expressions.reference": "failed"}


MATRIX = {
    "correct": Expect(),
    "overwritten_grad": Expect(
        {
            **named("overwritten-grad", "accumulation.gradcheck"),
            # Which wrong number a fan-out expression gives depends on the student's set order.
            "expressions.gradcheck": "failed",
            "backward.deep": "failed",
        },
        {
            "accumulation.gradcheck": "x * x: dL/dx is off: max relative error 0.5 (expected 3, got 1.5",
            "backward.deep": "a chain 10,000 nodes deep: x.grad is 1.02",
        },
    ),
    "power_missing_n": Expect(
        named("power-rule-missing-n", OPERATORS, "expressions.gradcheck", "worked_example.reference"),
        {OPERATORS: "__pow__ (v ** 3): the gradient w.r.t. the base is off"},
    ),
    "quotient_sign": Expect(
        named("quotient-rule-sign", OPERATORS, "expressions.gradcheck"),
        {OPERATORS: "__truediv__: the gradient w.r.t. the denominator is off"},
    ),
    "quotient_one_over_b": Expect(
        named("quotient-rule-one-over-b", OPERATORS, "expressions.gradcheck"),
        {OPERATORS: "[2 of 19 cases failed: __truediv__, __rtruediv__ (2 / v)]"},
    ),
    "recursive_topo": Expect(
        {"backward.deep": ("failed", "recursive-topological-sort")},
        {"backward.deep": "a chain 10,000 nodes deep: backward() raised RecursionError"},
    ),
    # `+` forgets the chain rule: the worked example's first wrong gradient is a*b's, not a leaf's.
    "add_forgets_chain_rule": Expect(
        {
            **{check: ("failed", None) for check in (*NEVER_ZERO, "expressions.gradcheck", WORKED)},
            "backward.deep": "failed",
            "expressions.reference": "failed",
        },
        {
            WORKED: "worked example (a*b + c)**2: the first wrong gradient going back from the loss is "
            "dL/d(a·b): dL/d(a·b) is off: max relative error 0.875 (expected 8, got 1;",
            OPERATORS: "numbers on the right ((v + 2) * 3 / 4 - 1.5): the gradient w.r.t. the operand is off",
        },
    ),
    # backward() walks an empty order: the root's grad is 1, every other gradient 0.
    "empty_order": Expect(
        {
            **named(UNREACHED, *NEVER_ZERO, WORKED),
            "expressions.gradcheck": "failed",
            "backward.deep": ("failed", UNREACHED),
        },
        {
            WORKED: "dL/d(a·b + c) is off: max relative error 1 (expected 8, got 0;",
            "backward.deep": NEVER_REACHED_X,
        },
    ),
    # A requires-grad flag nothing sets: backward() returns before it even seeds the root.
    "requires_grad_flag": Expect(
        {
            **named(UNREACHED, *NEVER_ZERO),
            "expressions.gradcheck": "failed",
            WORKED: ("failed", None),
            "backward.deep": ("failed", UNREACHED),
        },
        {WORKED: "dL/dL is off: max relative error 1 (expected 1, got 0;", "backward.deep": NEVER_REACHED_X},
    ),
    "uses_torch": Expect(
        {"by-hand.static": "failed"}, {"by-hand.static": "exercise12.py imports torch (line 3)"}
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    result = grade_student("exercise12", name, tmp_path)
    assert_verdicts(result, MATRIX[name])


@pytest.mark.slow
def test_the_misconception_hints_say_what_to_do(tmp_path: Path) -> None:
    result = grade_student("exercise12", "power_missing_n", tmp_path)
    check = next(c for c in result.checks if c.id == OPERATORS)
    assert "the expected value divided by 3" in (check.message or "")
    assert "n * x**(n - 1)" in (check.hint or "")


@pytest.mark.slow
def test_a_backward_that_hangs_times_out_and_the_operators_are_still_graded(tmp_path: Path) -> None:
    result = grade_student("exercise12", "hangs", tmp_path, timeout=1)
    timeouts = ("accumulation.gradcheck", "expressions.gradcheck", "expressions.reference")
    assert_verdicts(result, Expect({check: "timeout" for check in timeouts}))
    (message,) = {c.message for c in result.checks if c.id == "accumulation.gradcheck"}
    assert message and message.startswith("x * x: ") and 91 <= hung_at(message) <= 99  # backward's loop
    assert result.score == 10.75  # 3 of the 4 expressions ran and passed before the one that hangs
