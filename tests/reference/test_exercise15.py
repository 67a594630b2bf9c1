"""Reference exercise 15 (softmax backward) against float64 central differences."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from reference.exercise15 import softmax, softmax_backward, softmax_cross_entropy_backward
from tests.reference.numeric import assert_close, numerical_grad

SEEDS = [0, 1, 2]


def mean_cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    """Written from log-sum-exp, independently of the reference softmax."""
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (4, 7), (2, 3, 4)])
def test_softmax_rows_are_distributions(shape):
    z = np.random.default_rng(0).normal(size=shape) * 3
    p = softmax(z)
    assert p.shape == z.shape and p.dtype == np.float64
    assert np.all(p > 0)
    assert_close(p.sum(axis=-1), np.ones(shape[:-1]), what="row sums")
    assert_close(p, np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), what="naive softmax")


def test_softmax_is_shift_invariant_per_row():
    z = np.random.default_rng(1).normal(size=(4, 6))
    shifts = np.array([[-50.0], [0.0], [7.0], [300.0]])
    assert_close(softmax(z + shifts), softmax(z), atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("scale", [1000.0, -1000.0, 1e6])
def test_softmax_stable_for_large_logits(scale):
    z = scale + np.random.default_rng(2).normal(size=(3, 5))
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        p = softmax(z)
    assert np.all(np.isfinite(p))
    assert_close(p.sum(axis=1), np.ones(3), what="row sums")
    assert_close(p, softmax(z - scale), atol=1e-9, rtol=1e-6)


def test_softmax_at_z_1000_exactly():
    z = np.array([[1000.0, 1000.0], [1000.0, 0.0]])
    with np.errstate(all="raise", under="ignore"):
        p = softmax(z)
    assert_close(p, [[0.5, 0.5], [1.0, 0.0]], atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1, 2), (4, 5), (3, 2, 4)])
def test_softmax_backward_matches_numerical_vjp(seed, shape):
    rng = np.random.default_rng(seed)
    z, dout = rng.normal(size=shape) * 2, rng.normal(size=shape)
    dz = softmax_backward(dout, softmax(z))
    assert dz.shape == z.shape
    assert_close(dz, numerical_grad(lambda z: np.sum(dout * softmax(z)), z), what="dz")


def test_softmax_backward_does_not_modify_its_inputs():
    rng = np.random.default_rng(3)
    p, dout = softmax(rng.normal(size=(3, 4))), rng.normal(size=(3, 4))
    p0, dout0 = p.copy(), dout.copy()
    softmax_backward(dout, p)
    np.testing.assert_array_equal(p, p0)
    np.testing.assert_array_equal(dout, dout0)


def test_softmax_backward_never_builds_the_jacobian():
    n, k = 64, 4096  # a Jacobian would take n*k*k*8 bytes = 8.6 GB
    rng = np.random.default_rng(4)
    p, dout = softmax(rng.normal(size=(n, k))), rng.normal(size=(n, k))
    tracemalloc.start()
    try:
        dz = softmax_backward(dout, p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert dz.shape == (n, k)
    assert peak < 10 * n * k * 8, f"peak {peak} bytes for an (N, K) = ({n}, {k}) VJP"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,k", [(1, 2), (6, 4), (10, 3)])
def test_softmax_cross_entropy_backward_matches_numerical_grad(seed, n, k):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(size=(n, k)) * 2, rng.integers(0, k, size=n)
    dz = softmax_cross_entropy_backward(z, y)
    assert dz.shape == (n, k)
    assert_close(dz, numerical_grad(lambda z: mean_cross_entropy(z, y), z), what="dz")
    assert_close(dz.sum(axis=1), np.zeros(n), what="rows of dz sum to 0")


def test_softmax_cross_entropy_backward_stable_and_divides_by_n():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    with np.errstate(all="raise", under="ignore"):
        dz = softmax_cross_entropy_backward(z, np.array([0, 2]))
    assert_close(dz, [[0.0, 0.0, 0.0], [1 / 6, 1 / 6, -1 / 3]], atol=1e-15)


def test_softmax_cross_entropy_backward_accepts_label_lists():
    z = np.random.default_rng(5).normal(size=(3, 4))
    assert_close(
        softmax_cross_entropy_backward(z, [1, 0, 3]), softmax_cross_entropy_backward(z, np.array([1, 0, 3]))
    )
