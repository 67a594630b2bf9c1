"""Exercises 12 and 14 references against PyTorch autograd, on the very same expressions.

The expressions are the ones of `test_exercise12.py` and `test_exercise14.py`, each
written once as a function of a backend: here one backend is the reference engine,
the other torch in float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.reference.numeric import assert_close
from tests.reference.test_exercise12 import SCALAR_CASES, micrograd_more_ops, run_value
from tests.reference.test_exercise14 import TENSOR_CASES, NumpyOps, run_tensor

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _sum(x, axis=None, keepdims=False):
    dims = tuple(range(x.dim())) if axis is None else axis
    return torch.sum(x, dim=dims, keepdim=keepdims) if x.dim() else x


class TorchOps:
    """torch autograd in float64, with the method names of the engines under test."""

    relu = staticmethod(lambda x: torch.relu(x))
    tanh = staticmethod(lambda x: torch.tanh(x))
    exp = staticmethod(lambda x: torch.exp(x))
    log = staticmethod(lambda x: torch.log(x))
    sum = staticmethod(_sum)
    const = staticmethod(lambda c: torch.from_numpy(np.asarray(c, dtype=np.float64)))


def leaf(x) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


def run_torch(fn: Callable, inputs: list, weights=None):
    """Forward and backward through torch: output, (weighted) loss and input grads."""
    leaves = [leaf(x) for x in inputs]
    out = fn(TorchOps, *leaves)
    loss = out if weights is None else (out * TorchOps.const(weights)).sum()
    loss.backward()
    return out.detach().numpy(), loss.item(), [t.grad.numpy() for t in leaves]


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: c.name)
def test_value_matches_torch(case):
    rng = np.random.default_rng(1213)
    for _ in range(5):
        xs = case.draw(rng)
        value, grads = run_value(case.fn, xs)
        _, expected_value, expected_grads = run_torch(case.fn, xs)
        assert_close(value, expected_value, what=f"{case.name} forward at {xs}")
        assert_close(grads, expected_grads, what=f"{case.name} gradients at {xs}")


def test_micrograd_more_ops_matches_torch():
    value, grads = run_value(micrograd_more_ops, [-4.0, 2.0])
    _, expected_value, expected_grads = run_torch(micrograd_more_ops, [-4.0, 2.0])
    assert_close(value, expected_value)
    assert_close(grads, expected_grads)


@pytest.mark.parametrize("case", TENSOR_CASES, ids=lambda c: c.name)
def test_tensor_matches_torch(case):
    rng = np.random.default_rng(1413)
    for _ in range(3):
        arrays = case.draw(rng)
        weights = rng.normal(size=np.shape(case.fn(NumpyOps, *arrays)))
        out, loss, grads = run_tensor(case.fn, arrays, weights)
        expected_out, expected_loss, expected_grads = run_torch(case.fn, arrays, weights)
        assert_close(out, expected_out, what=f"{case.name} forward")
        assert_close(loss, expected_loss, what=f"{case.name} loss")
        for i, (grad, expected) in enumerate(zip(grads, expected_grads, strict=True)):
            assert_close(grad, expected, what=f"{case.name} gradient of input {i}")
