"""Exercise 11 reference: the hand-derived MLP gradients against float64 central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference.exercise11 import mlp_backward, mlp_forward
from tests.reference.numeric import assert_close, numerical_grad

SHAPES = [(1, 2, 3, 2), (5, 3, 4, 3), (8, 6, 5, 4), (16, 4, 7, 10)]  # (N, D, H, K)
PARAMS = ("W1", "b1", "W2", "b2")


def problem(rng: np.random.Generator, n: int, d: int, h: int, k: int) -> dict:
    """Random inputs, labels and parameters for a network of the given sizes."""
    return {
        "X": rng.normal(size=(n, d)),
        "y": rng.integers(0, k, size=n),
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, k)),
        "b2": rng.normal(size=k),
    }


def forward(p: dict):
    return mlp_forward(p["X"], p["y"], p["W1"], p["b1"], p["W2"], p["b2"])


def naive_forward(p: dict) -> tuple[float, tuple]:
    """The textbook formulas, unshifted: fine for the moderate logits drawn here."""
    z1 = p["X"] @ p["W1"] + p["b1"]
    a1 = np.where(z1 > 0, z1, 0.0)
    z2 = a1 @ p["W2"] + p["b2"]
    probs = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(len(p["y"])), p["y"]]))
    return loss, (z1, a1, probs, p["W2"])


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}_D{}_H{}_K{}".format(*s))
def test_forward_matches_the_textbook_formulas(shape):
    rng = np.random.default_rng(11)
    for _ in range(3):
        p = problem(rng, *shape)
        loss, cache = forward(p)
        expected_loss, expected_cache = naive_forward(p)
        assert type(loss) is float
        assert_close(loss, expected_loss, what="loss")
        assert isinstance(cache, tuple) and len(cache) == 4
        for name, got, want in zip(("z1", "a1", "p", "W2"), cache, expected_cache, strict=True):
            assert_close(got, want, what=name)
        assert_close(cache[2].sum(axis=1), np.ones(shape[0]), what="rows of p")


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}_D{}_H{}_K{}".format(*s))
def test_backward_matches_central_differences(shape):
    rng = np.random.default_rng(111)
    for _ in range(3):
        p = problem(rng, *shape)
        _, cache = forward(p)
        grads = mlp_backward(p["X"], p["y"], cache)
        assert len(grads) == 4
        for name, grad in zip(PARAMS, grads, strict=True):

            def loss_of(value: np.ndarray, p: dict = p, name: str = name) -> float:
                return forward({**p, name: value})[0]

            assert grad.shape == p[name].shape, f"d{name} has shape {grad.shape}"
            assert_close(grad, numerical_grad(loss_of, p[name].copy()), what=f"d{name}")


def test_zero_output_weights_give_log_k():
    p = problem(np.random.default_rng(0), 6, 3, 4, 5)
    p["W2"], p["b2"] = np.zeros((4, 5)), np.zeros(5)
    loss, cache = forward(p)
    assert loss == pytest.approx(math.log(5), rel=1e-12)
    assert_close(cache[2], np.full((6, 5), 0.2))


def test_huge_logits_stay_finite():
    # z2 = [1000, 0] on every row: naive exp overflows, naive log(p) of the label 1 is -inf.
    p = problem(np.random.default_rng(0), 4, 3, 2, 2)
    p["W2"], p["b2"], p["y"] = np.zeros((2, 2)), np.array([1000.0, 0.0]), np.ones(4, dtype=int)
    loss, cache = forward(p)
    assert loss == pytest.approx(1000.0, rel=1e-12)
    assert np.isfinite(cache[2]).all()
    grads = mlp_backward(p["X"], p["y"], cache)
    assert all(np.isfinite(g).all() for g in grads)
    assert_close(grads[3], [1.0, -1.0], what="db2")  # every row: p = [1, 0], onehot = [0, 1]


def test_gradients_do_not_grow_with_the_batch():
    # A batch repeated three times has the same mean loss, so the same gradients.
    p = problem(np.random.default_rng(5), 4, 3, 5, 3)
    grads = mlp_backward(p["X"], p["y"], forward(p)[1])
    tripled = {**p, "X": np.tile(p["X"], (3, 1)), "y": np.tile(p["y"], 3)}
    tripled_grads = mlp_backward(tripled["X"], tripled["y"], forward(tripled)[1])
    for name, got, want in zip(PARAMS, tripled_grads, grads, strict=True):
        assert_close(got, want, what=f"d{name}")


def test_relu_gradient_is_zero_at_zero():
    # X = 0 makes z1 = b1 exactly; a unit with b1 = 0 sits on the kink and gets no gradient.
    p = problem(np.random.default_rng(3), 3, 2, 3, 2)
    p["X"], p["b1"] = np.zeros((3, 2)), np.array([0.0, 1.0, -1.0])
    _, db1, _, _ = mlp_backward(p["X"], p["y"], forward(p)[1])
    assert db1[0] == 0.0 and db1[2] == 0.0 and db1[1] != 0.0


def test_labels_may_be_a_list():
    p = problem(np.random.default_rng(2), 5, 3, 4, 3)
    loss, cache = forward({**p, "y": p["y"].tolist()})
    assert loss == forward(p)[0]
    from_list = mlp_backward(p["X"], p["y"].tolist(), cache)
    for got, want in zip(from_list, mlp_backward(p["X"], p["y"], cache), strict=True):
        assert_close(got, want)
