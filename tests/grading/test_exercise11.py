"""Student matrix for exercise 11: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from tests.grading.student_matrix import Expect, assert_verdicts, grade_student, hung_at

BACKWARD = ("mlp_backward.gradcheck", "mlp_backward.reference")


def backward(status: str, misconception: str | None = None) -> dict[str, str | tuple[str, str | None]]:
    return {check: (status, misconception) for check in BACKWARD}


MATRIX = {
    "correct": Expect(),
    "forgot_divide_by_n": Expect(
        backward("failed", "forgot-divide-by-n"),
        {
            "mlp_backward.gradcheck": "dz2 = dL/dz2 looks wrong: every gradient downstream of it is off "
            "(dW2, db2, dW1, db1), each 6 times the expected value; dW2 is off"
        },
    ),
    "no_relu_mask": Expect(
        backward("failed", "no-relu-mask"),
        {
            "mlp_backward.gradcheck": "dz1 = dL/dz1 looks wrong: "
            "every gradient downstream of it is off (dW1, db1)"
        },
    ),
    "transposed_dw": Expect(
        backward("failed", "transposed-dw"),
        {"mlp_backward.gradcheck": "dW2 has shape (3, 5), expected (5, 3): transposed?"},
    ),
    "bias_keepdims": Expect(
        backward("failed", None),
        {
            "mlp_backward.gradcheck": "db2 has shape (1, 3), expected (3,): an extra length-1 axis "
            "(keepdims=True, or a reshape?); reshaped to (3,), its values are right"
        },
    ),
    "clips_probabilities": Expect(
        {"mlp_forward.stable": ("failed", "clipped-probabilities")},
        {
            "mlp_forward.stable": "logits around 1000: the loss is 13.4317, expected 256.47: the mean "
            "cross-entropy of your own logits z2 = a1 @ W2 + b2 from your cache"
        },
    ),
    "forged_cache": Expect(
        {
            "mlp_forward.reference": "failed",
            "mlp_forward.stable": "failed",
            "mlp_backward.gradcheck": "failed",
            "mlp_backward.reference": "failed",
        },
        {"mlp_forward.stable": "logits around 1000: the cache's a1 is not relu(X @ W1 + b1)"},
    ),
    "loss_summed": Expect(
        {
            "mlp_forward.reference": "failed",
            "mlp_forward.stable": "failed",
            **backward("failed", "forgot-divide-by-n"),
        },
        {
            "mlp_backward.gradcheck": "gradient points need the correct function here, so fix that first "
            "(a knock-on of mlp_forward.reference failing)"
        },
    ),
    "no_onehot": Expect(
        backward("failed", "onehot-not-subtracted"),
        {
            "mlp_backward.gradcheck": "dz2 = dL/dz2 looks wrong: every gradient downstream of it is off "
            "(dW2, db2, dW1, db1); dW2 is off"
        },
    ),
    "db_by_mean": Expect(backward("failed", "db-by-mean"), {"mlp_backward.gradcheck": "db2 is off"}),
    "unstable_softmax": Expect(
        {"mlp_forward.stable": ("failed", "unstable-softmax")},
        {"mlp_forward.stable": "logits around 1000: p contains inf or NaN"},
    ),
    "raises": Expect(
        backward("error"), {"mlp_backward.gradcheck": "ValueError (line 20): shapes do not line up"}
    ),
    "missing_backward": Expect(
        # The static point needs every graded function defined (the student's own work).
        {**backward("error"), "by-hand.static": "failed"},
        {"mlp_backward.gradcheck": "exercise11.py does not define mlp_backward"},
    ),
    "wrong_arity": Expect(
        backward("error"),
        {"mlp_backward.gradcheck": "mlp_backward should return 4 values (dW1, db1, dW2, db2), got 2"},
    ),
    "nan_gradient": Expect(
        backward("failed"),
        {"mlp_backward.gradcheck": "dW2 is NaN at [0, 0] where a finite value was expected"},
    ),
    "uses_torch": Expect(
        {"by-hand.static": "failed"}, {"by-hand.static": "exercise11.py imports torch (line 3)"}
    ),
    "syntax_error": Expect(status="error", others="error"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    result = grade_student("exercise11", name, tmp_path)
    assert_verdicts(result, MATRIX[name])
    if name == "uses_torch":
        assert [f.rule for f in result.integrity] == ["forbidden-import"]
    if name == "syntax_error":
        assert result.score == 0
        assert result.message == (
            "exercise11.py has a syntax error at line 18, column 30: "
            "expected ':': def mlp_backward(X, y, cache)"
        )


@pytest.mark.slow
def test_a_hang_times_out_and_the_other_checks_are_still_graded(tmp_path: Path) -> None:
    result = grade_student("exercise11", "hangs", tmp_path, timeout=1)
    assert_verdicts(result, Expect(backward("timeout")))
    assert hung_at(result.checks[2].message) == 20  # `while True: pass`
    assert result.score == 4


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "first", "upstream"),
    [
        ("forgot_divide_by_n", "dW2", "dz2 = dL/dz2"),
        ("no_relu_mask", "dW1", "dz1 = dL/dz1"),
        ("db_by_mean", "db2", None),
    ],
)
def test_the_first_wrong_gradient_from_the_loss_is_marked(
    name: str, first: str, upstream: str | None, tmp_path: Path
) -> None:
    for check in grade_student("exercise11", name, tmp_path).checks[2:4]:
        assert (check.details["first_wrong"], check.details.get("upstream")) == (first, upstream)
        assert check.message and check.message.startswith(upstream or first)
