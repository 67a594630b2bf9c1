"""Exercise 11's loss at logits around 1000 is judged against the submission's own logits.

The judge needs no reference: it takes z2 = a1 @ W2 + b2 from the submission's cache, so the
student kit and the course autograder agree; a correct stable implementation always meets its
tolerance, and a loss that clipped p before the log is named.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grader.probes import exercise11
from grader.probes.base import Verdict
from grader.truth import run_trusted

PROBE = exercise11.mlp_forward_large_logits


def judged(loss_of: Callable[[np.ndarray, np.ndarray, np.ndarray], float]) -> Verdict:
    """The check's verdict on an MLP whose stable forward takes its loss from `loss_of(z2, p, y)`."""

    def mlp_forward(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ W2 + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return loss_of(z2, p, y), (z1, a1, p, W2)

    (case,) = PROBE.cases(0, 1)
    assert PROBE.answer is not None and PROBE.judge is not None
    answer = run_trusted(types.SimpleNamespace(mlp_forward=mlp_forward), PROBE, case.inputs)
    observed: Any = PROBE.answer(case.inputs).check(answer, "the answer")
    return PROBE.judge(case.inputs, observed, None)


def picked(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return p[np.arange(len(y)), y]


def log_sum_exp_in_another_order(z2: np.ndarray, p: np.ndarray, y: np.ndarray) -> float:
    top = z2.max(axis=1)
    rows = [np.log(np.sum(np.exp(z - m))) + m - z[label] for z, m, label in zip(z2, top, y, strict=True)]
    return float(np.mean(rows))


def test_a_correct_stable_loss_passes_without_a_reference() -> None:
    assert judged(log_sum_exp_in_another_order) == Verdict(True)


@pytest.mark.parametrize(
    ("loss_of", "formula"),
    [
        (
            lambda z2, p, y: -np.log(np.clip(picked(p, y), 1e-7, 1 - 1e-7)).mean(),
            "-log(clip(p, 1e-07, 1 - 1e-07))",
        ),
        # Rows whose p underflowed to 0 make p + 1e-12 and clip(p, 1e-12, ...) the same loss.
        (lambda z2, p, y: -np.log(picked(p, y) + 1e-12).mean(), "1e-12"),
    ],
)
def test_a_loss_from_clipped_probabilities_is_named(
    loss_of: Callable[[np.ndarray, np.ndarray, np.ndarray], float], formula: str
) -> None:
    verdict = judged(loss_of)
    assert (verdict.passed, verdict.misconception) == (False, "clipped-probabilities")
    assert verdict.message and verdict.message.startswith("the loss is ")
    assert ", expected 256.47: the mean cross-entropy of your own logits" in verdict.message
    assert "it is the mean of -log(" in verdict.message and formula in verdict.message


def test_another_wrong_loss_is_told_without_a_mistake_name() -> None:
    verdict = judged(lambda z2, p, y: 2 * log_sum_exp_in_another_order(z2, p, y))
    assert (verdict.passed, verdict.misconception) == (False, None)
    assert verdict.message and "(tolerance rtol=1e-06)" in verdict.message
