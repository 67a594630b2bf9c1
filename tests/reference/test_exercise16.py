"""Reference exercise 16 (LayerNorm) against float64 central differences."""

from __future__ import annotations

import numpy as np
import pytest

from reference.exercise16 import layernorm_backward, layernorm_forward
from tests.reference.numeric import assert_close, numerical_grad

SEEDS = [0, 1, 2]


def case(seed: int, n: int, d: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) * 3 + rng.normal(size=(n, 1))
    return x, rng.normal(size=d), rng.normal(size=d), rng.normal(size=(n, d))


def numeric_grads(dout, x, gamma, beta, eps):
    """Central differences of L = sum(dout * layernorm_forward(...)) w.r.t. x, gamma, beta."""

    def loss(x=x, gamma=gamma, beta=beta):
        return np.sum(dout * layernorm_forward(x, gamma, beta, eps=eps))

    return (
        numerical_grad(lambda v: loss(x=v), x.copy()),
        numerical_grad(lambda v: loss(gamma=v), gamma.copy()),
        numerical_grad(lambda v: loss(beta=v), beta.copy()),
    )


@pytest.mark.parametrize("n,d", [(1, 2), (4, 5), (3, 8)])
def test_forward_normalises_each_row(n, d):
    x, _, _, _ = case(0, n, d)
    y = layernorm_forward(x, np.ones(d), np.zeros(d), eps=0.0)
    assert y.shape == (n, d) and y.dtype == np.float64
    assert_close(y.mean(axis=1), np.zeros(n), what="row means")
    assert_close(y.var(axis=1), np.ones(n), what="row variances (biased)")


def test_forward_scales_shifts_and_uses_eps_inside_the_root():
    x, gamma, beta, _ = case(1, 3, 4)
    eps = 0.5
    xhat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    assert_close(layernorm_forward(x, gamma, beta, eps=eps), gamma * xhat + beta)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,d,eps", [(1, 2, 1e-5), (4, 5, 1e-5), (3, 7, 1e-3), (2, 3, 0.5)])
def test_backward_matches_numerical_grads(seed, n, d, eps):
    x, gamma, beta, dout = case(seed, n, d)
    dx, dgamma, dbeta = layernorm_backward(dout, x, gamma, eps=eps)
    assert (dx.shape, dgamma.shape, dbeta.shape) == ((n, d), (d,), (d,))
    ndx, ndgamma, ndbeta = numeric_grads(dout, x, gamma, beta, eps)
    assert_close(dx, ndx, what="dx")
    assert_close(dgamma, ndgamma, what="dgamma")
    assert_close(dbeta, ndbeta, what="dbeta")


def test_backward_default_eps_is_1e_5():
    x, gamma, _, dout = case(3, 3, 4)
    for got, want in zip(
        layernorm_backward(dout, x, gamma), layernorm_backward(dout, x, gamma, eps=1e-5), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_naive_dx_without_mean_and_variance_paths_is_rejected():
    """The gradient check has teeth: dx = dout * gamma / std fails it."""
    x, gamma, beta, dout = case(4, 3, 5)
    naive = dout * gamma / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    ndx = numeric_grads(dout, x, gamma, beta, 1e-5)[0]
    with pytest.raises(AssertionError):
        assert_close(naive, ndx)


def test_constant_rows_stay_finite():
    x = np.array([[2.0, 2.0, 2.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])
    _, gamma, beta, dout = case(5, 2, 4)
    with np.errstate(all="raise", under="ignore"):
        y = layernorm_forward(x, gamma, beta)
        grads = layernorm_backward(dout, x, gamma)
    assert_close(y, np.broadcast_to(beta, x.shape), what="y = beta on a constant row")
    assert all(np.all(np.isfinite(g)) for g in grads)
    for got, want, name in zip(
        grads, numeric_grads(dout, x, gamma, beta, 1e-5), "x gamma beta".split(), strict=True
    ):
        assert_close(got, want, atol=1e-6, rtol=1e-5, what=f"d{name} on constant rows")


def test_backward_rows_of_dx_sum_to_zero():
    """Shifting a whole row does not change its output, so dx has zero row sums."""
    x, gamma, _, dout = case(6, 5, 6)
    dx, _, _ = layernorm_backward(dout, x, gamma)
    assert_close(dx.sum(axis=1), np.zeros(5), atol=1e-10)
