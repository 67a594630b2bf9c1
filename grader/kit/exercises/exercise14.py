"""Exercise 14 — a tensor autograd engine.

`Tensor` is exercise 12's `Value` for whole arrays: `data` is a float64 ndarray,
`grad` an array of zeros of the same shape, and every operation records its
operands in `_prev` and a `_backward` closure that accumulates into their grads.
`backward()` seeds the root's grad with ones of its shape, then runs the closures
in reverse topological order (found with an explicit stack, as in exercise 13).

Implement
1. `unbroadcast(grad, shape)`: sum `grad` back down to `shape` (see below).
2. The operators `+ - *` and unary `-`, with a Tensor, an ndarray or a number on
   either side and numpy broadcasting; `@` between 2-D tensors; the methods
   `relu()`, `exp()`, `log()`, `sum(axis=None, keepdims=False)`; `backward()`.

For out = f(a, b) with upstream gradient g = out.grad, the gradients are

    a + b:  g and g              a - b:  g and -g           a * b:  g * b and g * a
    A @ B:  g @ B.T and A.T @ g  (shapes (n, k) @ (k, m) -> (n, m))
    relu:   g * (a > 0)          exp:    g * exp(a)         log:    g / a
    sum:    g copied back to every summed entry (with keepdims=False, first put the
            summed axes back as size-1 axes so that g broadcasts)

Broadcasting: adding b of shape (4,) to a of shape (3, 4) uses b once per row, so
b's gradient is g summed over the rows. In general an operand's gradient is g
summed over the leading axes numpy added and over the axes where the operand has
size 1; `unbroadcast` does that, and every binary operator passes both gradients
through it. (3, 1) * (1, 4) gives (3, 4): the first operand's gradient sums over
axis 1, the second's over axis 0, each keeping its size-1 axis.

Pitfalls:
- Without unbroadcast, `a.grad += g` raises, or silently broadcasts into a wrong
  gradient; check that `t.grad.shape == t.data.shape` for every operand.
- `ndarray + Tensor` must give a Tensor. `__array_ufunc__ = None` (given) makes
  numpy step aside so that Python calls the Tensor's reflected operator.
"""

from __future__ import annotations

from functools import partial
from typing import TypeAlias

import numpy as np

Operand: TypeAlias = "Tensor | np.ndarray | float"


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting added or stretched, to get `shape`."""
    raise NotImplementedError("unbroadcast: your code here")


class Tensor:
    """An array in a computation graph, with the gradient of the root w.r.t. it."""

    __array_ufunc__ = None  # numpy defers: `ndarray + Tensor` calls Tensor.__radd__

    def __init__(self, data, _children: tuple[Tensor, ...] = (), _op: str = ""):
        self.data = np.array(data, dtype=np.float64)  # a copy, so later edits don't leak in
        self.grad = np.zeros_like(self.data)
        self._backward = lambda: None  # leaves have nothing to propagate
        self._prev = tuple(_children)
        self._op = _op  # the operation that produced this node, for debugging

    def __repr__(self) -> str:
        show = partial(np.array2string, precision=4, threshold=12, edgeitems=2, separator=", ")
        data, grad = (show(a).replace("\n", "") for a in (self.data, self.grad))
        return f"Tensor(shape={self.data.shape}, data={data}, grad={grad})"

    @staticmethod
    def _coerce(other: Operand) -> Tensor:
        # Arrays and numbers become constant leaves, so every operator sees two Tensors.
        return other if isinstance(other, Tensor) else Tensor(other)

    def __add__(self, other: Operand) -> Tensor:
        raise NotImplementedError("Tensor.__add__: your code here")

    def __sub__(self, other: Operand) -> Tensor:
        raise NotImplementedError("Tensor.__sub__: your code here")

    def __mul__(self, other: Operand) -> Tensor:
        raise NotImplementedError("Tensor.__mul__: your code here")

    def __matmul__(self, other: Operand) -> Tensor:
        raise NotImplementedError("Tensor.__matmul__: your code here")

    def relu(self) -> Tensor:
        raise NotImplementedError("Tensor.relu: your code here")

    def exp(self) -> Tensor:
        raise NotImplementedError("Tensor.exp: your code here")

    def log(self) -> Tensor:
        raise NotImplementedError("Tensor.log: your code here")

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (every axis by default), like ndarray.sum."""
        raise NotImplementedError("Tensor.sum: your code here")

    def __neg__(self) -> Tensor:  # -self
        raise NotImplementedError("Tensor.__neg__: your code here")

    def __radd__(self, other: Operand) -> Tensor:  # other + self
        raise NotImplementedError("Tensor.__radd__: your code here")

    def __rsub__(self, other: Operand) -> Tensor:  # other - self
        raise NotImplementedError("Tensor.__rsub__: your code here")

    def __rmul__(self, other: Operand) -> Tensor:  # other * self
        raise NotImplementedError("Tensor.__rmul__: your code here")

    def __rmatmul__(self, other: Operand) -> Tensor:  # other @ self
        raise NotImplementedError("Tensor.__rmatmul__: your code here")

    def backward(self) -> None:
        """Seed this tensor's grad with ones and propagate to every tensor behind it."""
        raise NotImplementedError("Tensor.backward: your code here")


# When you are done, check your work with:  grade exercise14.py
