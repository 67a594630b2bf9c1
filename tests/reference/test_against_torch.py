"""Exercises 12 and 14 references against PyTorch autograd, on the very same expressions.

The expressions are the probes' and the reference tests' (`test_exercise12.py`,
`test_exercise14.py`), each written once: here they run on the reference engine and on
torch in float64, whose tensors `ForwardNode` gives the engines' methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from grader.probes.engines import Expression
from tests.reference import test_exercise12 as scalar
from tests.reference import test_exercise14 as tensor
from tests.reference.numeric import ForwardNode, assert_close, points

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _sum(x, axis, keepdims):
    dims = tuple(range(x.dim())) if axis is None else axis
    return torch.sum(x, dim=dims, keepdim=keepdims) if x.dim() else x


class TorchOps:
    """torch autograd in float64, the backend of `ForwardNode`."""

    const = staticmethod(lambda c: torch.as_tensor(np.asarray(c, dtype=np.float64)))
    relu = staticmethod(torch.relu)
    tanh = staticmethod(torch.tanh)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    sum = staticmethod(_sum)


def run_torch(expression: Expression, point: Sequence[Any], weights: np.ndarray):
    """Forward and backward through torch: output, weighted loss and input grads."""
    leaves = [torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in point]
    out = expression.build(*(ForwardNode(leaf, TorchOps) for leaf in leaves)).data
    loss = (out * TorchOps.const(weights)).sum()
    loss.backward()
    return out.detach().numpy(), loss.item(), [leaf.grad.numpy() for leaf in leaves]


@pytest.mark.parametrize("name", scalar.CASES)
def test_value_matches_torch(name):
    expression = scalar.CASES[name]
    for point in points(expression, np.random.default_rng(1213), scalar.DRAWS):
        value, grads = scalar.run_value(expression, point)
        _, expected_value, expected_grads = run_torch(expression, point, scalar.ONE)
        at = [float(x) for x in point]
        assert_close(value, expected_value, what=f"{name} forward at {at}")
        assert_close(grads, np.ravel(expected_grads), what=f"{name} gradients at {at}")


@pytest.mark.parametrize("name", tensor.CASES)
def test_tensor_matches_torch(name):
    expression, rng = tensor.CASES[name], np.random.default_rng(1413)
    for point in points(expression, rng, tensor.DRAWS):
        weights = tensor.weights_for(expression, point, rng)
        out, loss, grads = tensor.run_tensor(expression, point, weights)
        expected_out, expected_loss, expected_grads = run_torch(expression, point, weights)
        assert_close(out, expected_out, what=f"{name} forward")
        assert_close(loss, expected_loss, what=f"{name} loss")
        for i, (grad, expected) in enumerate(zip(grads, expected_grads, strict=True)):
            assert_close(grad, expected, what=f"{name} gradient of input {i}")
