"""Float64 central differences: the independent oracle the reference is tested against.

The expressions are the engine probes' own (`grader.probes.engines.Expression` tables), each
written once: `ForwardNode` gives plain arrays the operators and methods of the engines' nodes,
so an expression runs on numpy (here, differentiated numerically) and on torch
(`test_against_torch.py`) without any code of the engine under test.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.probes.engines import Expression

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


class NumpyOps:
    """Plain float64 numpy, the backend of the numerical oracle."""

    const = staticmethod(lambda c: np.asarray(c, dtype=np.float64))
    relu = staticmethod(lambda x: np.maximum(x, 0.0))
    tanh = staticmethod(np.tanh)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sum = staticmethod(lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims))


def _binary(
    op: Callable[[Any, Any], Any], reflected: bool = False
) -> Callable[[ForwardNode, Any], ForwardNode]:
    def apply(self: ForwardNode, other: Any) -> ForwardNode:
        return self.apply((lambda x, y: op(y, x)) if reflected else op, other)

    return apply


class ForwardNode:
    """A backend's array (`data`) with the operators and methods of the engines' nodes, forward only.

    `ops` is the backend: `const` turns numbers and ndarrays met in an expression into its
    arrays; `relu`, `tanh`, `exp`, `log` and `sum(x, axis, keepdims)` compute on them.
    """

    __array_ufunc__ = None  # an ndarray on the left defers to the reflected operator

    def __init__(self, data: Any, ops: Any) -> None:
        self.data, self.ops = data, ops

    def apply(self, function: Callable[..., Any], *operands: Any) -> ForwardNode:
        values = [x.data if isinstance(x, ForwardNode) else self.ops.const(x) for x in operands]
        return ForwardNode(function(self.data, *values), self.ops)

    __add__, __radd__ = _binary(operator.add), _binary(operator.add, reflected=True)
    __sub__, __rsub__ = _binary(operator.sub), _binary(operator.sub, reflected=True)
    __mul__, __rmul__ = _binary(operator.mul), _binary(operator.mul, reflected=True)
    __truediv__, __rtruediv__ = _binary(operator.truediv), _binary(operator.truediv, reflected=True)
    __matmul__, __rmatmul__ = _binary(operator.matmul), _binary(operator.matmul, reflected=True)
    __pow__ = _binary(operator.pow)

    def __neg__(self) -> ForwardNode:
        return self.apply(operator.neg)

    def relu(self) -> ForwardNode:
        return self.apply(self.ops.relu)

    def tanh(self) -> ForwardNode:
        return self.apply(self.ops.tanh)

    def exp(self) -> ForwardNode:
        return self.apply(self.ops.exp)

    def log(self) -> ForwardNode:
        return self.apply(self.ops.log)

    def sum(self, axis: Any = None, keepdims: bool = False) -> ForwardNode:
        return self.apply(lambda x: self.ops.sum(x, axis, keepdims))


def points(expression: Expression, rng: np.random.Generator, count: int) -> list[list[np.ndarray]]:
    """The expression's own point, then `count` random ones: the same shapes and signs, entry by
    entry, magnitudes in [0.5, 2] (the signs keep each input where its case put it: a log's or a
    fractional power's input positive, a relu on the side its case names)."""
    at = [np.asarray(x, dtype=np.float64) for x in expression.at.values()]
    drawn = [[np.where(x < 0, -1.0, 1.0) * rng.uniform(0.5, 2.0, x.shape) for x in at] for _ in range(count)]
    return [at, *drawn]


def forward(expression: Expression, point: list[np.ndarray]) -> np.ndarray:
    """The expression's output at `point`, on plain numpy."""
    return np.asarray(expression.build(*(ForwardNode(x, NumpyOps) for x in point)).data)


def oracle(
    expression: Expression, point: list[np.ndarray], weights: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The expression's output at `point` and the central-difference gradients of sum(weights * output)."""

    def loss(i: int, x: np.ndarray) -> float:
        return float(np.sum(weights * forward(expression, [*point[:i], x, *point[i + 1 :]])))

    grads = [numerical_grad(lambda x, i=i: loss(i, x), x.copy()) for i, x in enumerate(point)]
    return forward(expression, point), grads
