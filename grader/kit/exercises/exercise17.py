"""Exercise 17 — forward mode versus reverse mode.

Forward mode carries, next to every number, its derivative along one chosen input
direction. A dual number a + a'·e with e**2 = 0 does exactly that: ``Dual(value,
tangent)``. Implement its + (sum rule), * (product rule) and ** with a number
exponent k (power rule):

    (a + a'e) + (b + b'e) = (a + b) + (a' + b')e
    (a + a'e) * (b + b'e) = ab + (a'b + ab')e          the e**2 term vanishes
    (a + a'e) ** k        = a**k + k·a**(k-1)·a' e

Unary -, -, / and the reflected forms (2 * d, 1 / d, ...) are derived from these
and given. ``_chain(x, f, df)`` applies the chain rule f(a) + f'(a)·a' e; write
``exp``, ``log`` and ``relu`` with it: each accepts a float, a Dual or a ``Node``.

A function f maps a list of n scalars to a list of m scalars. Implement

- ``jvp(f, x, v) -> (fx, Jv)``: seed input i with Dual(x[i], v[i]) and read the
  tangents of the outputs. Exactly one evaluation of f.
- ``jacobian_forward(f, x) -> J`` (m×n): one jvp per input direction e_j gives
  column j, so n evaluations of f.
- ``jacobian_reverse(f, x) -> J`` (m×n): evaluate f once on ``Node`` inputs
  (a reverse-mode node, exercise 12's Value in miniature: each node stores its
  parents with the local derivative) and run one backward pass per output to get
  row i. ``Node.backward`` must work without recursion and reset the grads it
  reaches; reset the inputs' grads yourself, an output may not depend on all of them.

Forward mode costs n evaluations, reverse mode one evaluation plus m backward
passes: for a loss (m = 1) and a million parameters, reverse mode wins.
Return numpy float64 arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np


class _Derived:
    """Operators derived from +, * and **: the same for both modes."""

    def __neg__(self):
        return self * -1

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return -self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):  # other / self
        return self**-1 * other


class Dual(_Derived):
    """value + tangent·e with e**2 = 0: a number and its derivative along one direction."""

    def __init__(self, value: float, tangent: float = 0.0):
        self.value, self.tangent = float(value), float(tangent)

    def __repr__(self) -> str:
        return f"Dual(value={self.value}, tangent={self.tangent})"

    def __add__(self, other):
        """Sum rule: tangents add."""
        raise NotImplementedError("Dual.__add__: your code here")

    def __mul__(self, other):
        """Product rule: (a + a'e)(b + b'e) = ab + (a'b + ab')e."""
        raise NotImplementedError("Dual.__mul__: your code here")

    def __pow__(self, k: float):
        """Power rule for a number exponent k."""
        raise NotImplementedError("Dual.__pow__: your code here")


class Node(_Derived):
    """A reverse-mode scalar: ``parents`` pairs each input node with d(self)/d(input)."""

    def __init__(self, data: float, parents: tuple[tuple[Node, float], ...] = ()):
        self.data, self.grad, self._parents = float(data), 0.0, parents

    def __repr__(self) -> str:
        return f"Node(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        """Both operands are parents, each with local derivative 1."""
        raise NotImplementedError("Node.__add__: your code here")

    def __mul__(self, other):
        """Each operand is a parent whose local derivative is the other's data."""
        raise NotImplementedError("Node.__mul__: your code here")

    def __pow__(self, k: float):
        """One parent, local derivative k * data**(k - 1)."""
        raise NotImplementedError("Node.__pow__: your code here")

    def backward(self) -> None:
        """Zero every grad behind this node, then set each to d(self)/d(node)."""
        raise NotImplementedError("Node.backward: your code here")


def _chain(x, f: Callable[[float], float], df: Callable[[float], float]):
    """f(x) for a float, a Dual or a Node, where df is the derivative of f."""
    raise NotImplementedError("_chain: your code here")


def exp(x):
    """e**x."""
    raise NotImplementedError("exp: your code here")


def log(x):
    """Natural logarithm."""
    raise NotImplementedError("log: your code here")


def relu(x):
    """max(x, 0), with derivative 0 at 0."""
    raise NotImplementedError("relu: your code here")


def jvp(f: Callable, x: Sequence[float], v: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and the Jacobian-vector product J(x) @ v, from one evaluation of f."""
    raise NotImplementedError("jvp: your code here")


def jacobian_forward(f: Callable, x: Sequence[float]) -> np.ndarray:
    """The m×n Jacobian of f at x, one column per evaluation of f."""
    raise NotImplementedError("jacobian_forward: your code here")


def jacobian_reverse(f: Callable, x: Sequence[float]) -> np.ndarray:
    """The m×n Jacobian of f at x: one evaluation of f, one backward pass per row."""
    raise NotImplementedError("jacobian_reverse: your code here")


# When you are done, check your work with:  grade exercise17.py
