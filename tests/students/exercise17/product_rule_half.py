# Classic mistake, in the starter's skeleton: the product rule forgets the term a * b'.
import math

import numpy as np


class _Derived:
    """Given in the starter: operators derived from +, * and **."""

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return -self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return self**-1 * other


class Dual(_Derived):
    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = float(value), float(tangent)

    def __add__(self, other):
        if not isinstance(other, Dual):
            return Dual(self.value + other, self.tangent)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other):
        if not isinstance(other, Dual):
            return Dual(self.value * other, self.tangent * other)
        return Dual(self.value * other.value, self.tangent * other.value)

    def __pow__(self, k):
        return Dual(self.value**k, k * self.value ** (k - 1) * self.tangent)


class Node(_Derived):
    def __init__(self, data, parents=()):
        self.data, self.grad, self._parents = float(data), 0.0, parents

    def __add__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.data + other.data, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.data * other.data, ((self, other.data), (other, self.data)))

    def __pow__(self, k):
        return Node(self.data**k, ((self, k * self.data ** (k - 1)),))

    def backward(self):
        topo, visited, todo = [], set(), [self]
        while todo:
            node = todo.pop()
            if node in visited:
                continue
            visited.add(node)
            topo.append(node)
            todo.extend(parent for parent, _ in node._parents)
        # a node's grad is final once every node that uses it has pushed into it
        users = {node: 0 for node in topo}
        for node in topo:
            node.grad = 0.0
            for parent, _ in node._parents:
                users[parent] += 1
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            for parent, local in node._parents:
                parent.grad += local * node.grad
                users[parent] -= 1
                if users[parent] == 0:
                    ready.append(parent)


def _chain(x, f, df):
    if isinstance(x, Dual):
        return Dual(f(x.value), df(x.value) * x.tangent)
    if isinstance(x, Node):
        return Node(f(x.data), ((x, df(x.data)),))
    return f(x)


def exp(x):
    return _chain(x, math.exp, math.exp)


def log(x):
    return _chain(x, math.log, lambda a: 1 / a)


def relu(x):
    return _chain(x, lambda a: max(a, 0.0), lambda a: 1.0 if a > 0 else 0.0)


def jvp(f, x, v):
    ys = f([Dual(xi, vi) for xi, vi in zip(x, v)])
    return (
        np.array([y.value if isinstance(y, Dual) else y for y in ys]),
        np.array([y.tangent if isinstance(y, Dual) else 0.0 for y in ys]),
    )


def jacobian_forward(f, x):
    n = len(x)
    return np.column_stack([jvp(f, x, np.eye(n)[j])[1] for j in range(n)])


def jacobian_reverse(f, x):
    xs = [Node(xi) for xi in x]
    ys = f(xs)
    J = np.zeros((len(ys), len(xs)))
    for i, y in enumerate(ys):
        for node in xs:
            node.grad = 0.0
        y.backward()
        J[i] = [node.grad for node in xs]
    return J
