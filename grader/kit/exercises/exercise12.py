"""Exercise 12 — a scalar autograd engine.

`Value` wraps one number and remembers how it was computed, so that `backward()`
can fill in d(root)/d(node) for every node the root depends on. The API is
micrograd's:

    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    L = (a * b + c) ** 2
    L.backward()      # L.data == 16.0, a.grad == -24.0, b.grad == 16.0, c.grad == 8.0

Each operation returns a new Value whose `_prev` holds its operands and whose
`_backward` closure applies the chain rule for that one operation:

    operand.grad += (d out / d operand) * out.grad

Implement `+ - * /` with a Value or a number on either side, `**` with a number
exponent, unary `-`, and the methods `relu`, `tanh`, `exp`, `log`. The local
derivatives:

    a + b:  1 and 1             a - b:  1 and -1           a * b:  b and a
    a / b:  1/b and -a/b**2     x ** n: n * x**(n-1)
    relu:   1 if x > 0 else 0   tanh:   1 - tanh(x)**2     exp: exp(x)   log: 1/x

`backward()` sets the root's grad to 1.0, then calls `_backward` on every node in
reverse topological order, so a node runs only once all the nodes that use it have
passed their gradient down.

Pitfalls:
- Accumulate with `+=`. In `x * x`, or when `a` feeds both `b` and `c`, a node
  receives gradient along every path; `=` keeps only the last one.
- Build the topological order with an explicit stack. A recursive search overflows
  Python's recursion limit (about 1000) on a chain of 100,000 operations.
"""

from __future__ import annotations

import math


class Value:
    """A scalar in a computation graph, with the gradient of the root w.r.t. it."""

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None  # leaves have nothing to propagate
        self._prev = tuple(_children)  # a tuple keeps the traversal order reproducible
        self._op = _op  # the operation that produced this node, for debugging

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    @staticmethod
    def _coerce(other: Value | float) -> Value:
        # A number becomes a constant leaf, so every operator sees two Values.
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__add__: your code here")

    def __sub__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__sub__: your code here")

    def __mul__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__mul__: your code here")

    def __truediv__(self, other: Value | float) -> Value:
        raise NotImplementedError("Value.__truediv__: your code here")

    def __pow__(self, other: float) -> Value:
        raise NotImplementedError("Value.__pow__: your code here")

    def relu(self) -> Value:
        raise NotImplementedError("Value.relu: your code here")

    def tanh(self) -> Value:
        raise NotImplementedError("Value.tanh: your code here")

    def exp(self) -> Value:
        raise NotImplementedError("Value.exp: your code here")

    def log(self) -> Value:
        raise NotImplementedError("Value.log: your code here")

    def __neg__(self) -> Value:  # -self
        raise NotImplementedError("Value.__neg__: your code here")

    def __radd__(self, other: float) -> Value:  # other + self
        raise NotImplementedError("Value.__radd__: your code here")

    def __rsub__(self, other: float) -> Value:  # other - self
        raise NotImplementedError("Value.__rsub__: your code here")

    def __rmul__(self, other: float) -> Value:  # other * self
        raise NotImplementedError("Value.__rmul__: your code here")

    def __rtruediv__(self, other: float) -> Value:  # other / self
        raise NotImplementedError("Value.__rtruediv__: your code here")

    def backward(self) -> None:
        """Set this node's grad to 1.0 and propagate it to every node behind it."""
        raise NotImplementedError("Value.backward: your code here")


# When you are done, check your work with:  grade exercise12.py
