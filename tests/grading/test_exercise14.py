"""Student matrix for exercise 14: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from grader.probes.engines import UNREACHED
from grader.probes.exercise14 import BROADCASTING_CHECK
from tests.grading.student_matrix import Expect, assert_verdicts, grade_student

COURSE = Path(__file__).resolve().parents[2]
SUM_OVER_BROADCAST = "did you forget to sum over the broadcast axes?"
#: What a shape error in sum's backward says when an operator's missing unbroadcast explains it.
KNOCK_ON = (
    "cannot reshape array of size 12 into shape (1,4); this error comes from a gradient of the wrong "
    f"shape reaching Tensor.sum's backward: see '{BROADCASTING_CHECK}' (in __add__ (3, 4) + (4,), "
    "the gradient w.r.t. the right operand has shape (3, 4), expected (4,))"
)
GRADIENTS = (
    "operators.gradcheck",
    "broadcasting.gradcheck",
    "accumulation.gradcheck",
    "expressions.gradcheck",
)

MATRIX = {
    "correct": Expect(),
    "no_unbroadcast": Expect(
        {
            "broadcasting.gradcheck": ("failed", "no-unbroadcast"),
            "expressions.gradcheck": ("failed", "no-unbroadcast"),
            "expressions.reference": ("failed", "no-unbroadcast"),
            "accumulation.gradcheck": "error",  # the grown grads no longer fit sum()'s backward
        },
        {
            "broadcasting.gradcheck": "__add__ (3, 4) + (4,): the gradient w.r.t. the right operand "
            f"has shape (3, 4), expected (4,): {SUM_OVER_BROADCAST}",
            # The gradient nearest the loss comes first: b2's, not b1's.
            "expressions.gradcheck": f"dL/db2 has shape (5, 2), expected (2,): {SUM_OVER_BROADCAST}",
            "accumulation.gradcheck": "broadcast fan-out (b = a * c; b * b + b.sum(axis=0)): "
            f"ValueError (line 80): {KNOCK_ON}",
        },
    ),
    # Only `+` forgets to unbroadcast: the error in sum's backward points at the broadcasting check.
    "add_no_unbroadcast": Expect(
        {
            "broadcasting.gradcheck": ("failed", "no-unbroadcast"),
            "accumulation.gradcheck": ("error", None),
            "expressions.gradcheck": ("failed", "no-unbroadcast"),
            "expressions.reference": ("failed", "no-unbroadcast"),
        },
        {
            "accumulation.gradcheck": "broadcast fan-out (b = a * c; b * b + b.sum(axis=0)): "
            f"ValueError (line 122): {KNOCK_ON}",
        },
    ),
    # backward() never seeds the output's grad: every gradient stays 0, the root's too.
    "never_seeded": Expect(
        {
            **{check: ("failed", UNREACHED) for check in (*GRADIENTS, "expressions.reference")},
            "worked_example.reference": ("failed", None),
        },
        {"worked_example.reference": "dL/dL is off: max relative error 1 (expected 1, got 0;"},
    ),
    "no_unbroadcast_inplace": Expect(
        {
            "operators.gradcheck": ("error", None),
            "broadcasting.gradcheck": ("error", None),
            "accumulation.gradcheck": "error",
            "expressions.gradcheck": "error",
            "expressions.reference": "error",
        },
        {
            "broadcasting.gradcheck": "__add__ (3, 4) + (4,): ValueError (line 100): non-broadcastable "
            "output operand with shape (4,) doesn't match the broadcast shape (3,4)",
            "operators.gradcheck": "__radd__ (2 + t): ValueError",
        },
    ),
    "transposed_matmul": Expect(
        {
            "operators.gradcheck": ("failed", "matmul-missing-transpose"),
            "expressions.gradcheck": "error",
            "expressions.reference": "error",
        },
        {
            "operators.gradcheck": "__matmul__ (3, 3) @ (3, 3): the gradient w.r.t. the left matrix is off: "
            "9 of 9 entries differ",
            "expressions.gradcheck": "MLP relu(x @ W1 + b1) @ W2 + b2: ValueError (line 59): matmul",
        },
    ),
    "overwritten_grad": Expect(
        {
            "accumulation.gradcheck": ("failed", "overwritten-grad"),
            "expressions.gradcheck": ("failed", "overwritten-grad"),
            "worked_example.reference": ("failed", "overwritten-grad"),
        },
        {"accumulation.gradcheck": "t * t: dL/dt is off: 12 of 12 entries differ"},
    ),
    "wrong_shape": Expect(
        {"operators.forward": ("failed", None), "expressions.gradcheck": ("error", None)},
        {
            "operators.forward": "sum(axis=1, keepdims=True): out.data has shape (2, 4), expected (2, 1, 4): "
            "a missing length-1 axis",
            "expressions.gradcheck": "operands could not be broadcast together with shapes (3,4) (3,)",
        },
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    result = grade_student("exercise14", name, tmp_path)
    assert_verdicts(result, MATRIX[name])
