# Whole-graph failure: the root is marked as seen before it is expanded, so the topological
# walk stops at once, the order is empty and no gradient reaches the inputs (every J is 0).
import math

import numpy as np


def _lift(x):
    return x if isinstance(x, Dual) else Dual(x)


class Dual:
    def __init__(self, value, tangent=0.0):
        self.value = float(value)
        self.tangent = float(tangent)

    def __add__(self, other):
        other = _lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __sub__(self, other):
        return self + (-_lift(other))

    def __rsub__(self, other):
        return _lift(other) + (-self)

    def __mul__(self, other):
        other = _lift(other)
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = _lift(other)
        quotient = self.value / other.value
        return Dual(quotient, (self.tangent - quotient * other.tangent) / other.value)

    def __rtruediv__(self, other):
        return _lift(other) / self

    def __pow__(self, k):
        return Dual(self.value**k, k * self.value ** (k - 1) * self.tangent)


class Var:
    """Reverse mode: a value, its grad, and (parent, local derivative) pairs."""

    def __init__(self, data, parents=()):
        self.data, self.grad, self.parents = float(data), 0.0, parents

    def _wrap(self, other):
        return other if isinstance(other, Var) else Var(other)

    def __add__(self, other):
        other = self._wrap(other)
        return Var(self.data + other.data, [(self, 1.0), (other, 1.0)])

    __radd__ = __add__

    def __neg__(self):
        return Var(-self.data, [(self, -1.0)])

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __rsub__(self, other):
        return self._wrap(other) + (-self)

    def __mul__(self, other):
        other = self._wrap(other)
        return Var(self.data * other.data, [(self, other.data), (other, self.data)])

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __rtruediv__(self, other):
        return self._wrap(other) * self**-1

    def __pow__(self, k):
        return Var(self.data**k, [(self, k * self.data ** (k - 1))])

    def backward(self):
        order, seen, stack = [], {id(self)}, [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(parent for parent, _ in node.parents)
            order.insert(0, node)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


def _apply(x, f, df):
    if isinstance(x, Dual):
        return Dual(f(x.value), df(x.value) * x.tangent)
    if isinstance(x, Var):
        return Var(f(x.data), [(x, df(x.data))])
    return f(x)


def exp(x):
    return _apply(x, math.exp, math.exp)


def log(x):
    return _apply(x, math.log, lambda a: 1.0 / a)


def relu(x):
    return _apply(x, lambda a: a if a > 0 else 0.0, lambda a: 1.0 if a > 0 else 0.0)


def jvp(f, x, v):
    out = [_lift(o) for o in f([Dual(a, b) for a, b in zip(x, v)])]
    return [o.value for o in out], [o.tangent for o in out]


def jacobian_forward(f, x):
    n = len(x)
    columns = [jvp(f, x, [1.0 if i == j else 0.0 for i in range(n)])[1] for j in range(n)]
    return np.array(columns).T


def jacobian_reverse(f, x):
    leaves = [Var(a) for a in x]
    rows = []
    for out in f(leaves):
        for leaf in leaves:
            leaf.grad = 0.0
        if isinstance(out, Var):
            out.backward()
        rows.append([leaf.grad for leaf in leaves])
    return np.array(rows)
