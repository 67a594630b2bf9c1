"""Float64 central differences: the independent oracle the reference is tested against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Step and tolerances for float64 central differences on smooth functions.
EPS = 1e-6
ATOL = 1e-7
RTOL = 1e-5


def numerical_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (``x`` is restored)."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = float(f(x))
        flat[i] = old - eps
        minus = float(f(x))
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def assert_close(got, expected, atol: float = ATOL, rtol: float = RTOL, what: str = "") -> None:
    """``np.testing.assert_allclose`` with the suite's named tolerances and matching shapes."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol, err_msg=what)
