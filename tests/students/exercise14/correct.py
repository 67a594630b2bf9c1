# A correct exercise 14 written without looking at the reference: each tensor keeps its
# parents with a function mapping the upstream gradient to that parent's gradient
# (a vector-Jacobian product), and backward() applies them, unbroadcasting in one place.
import numpy as np


def unbroadcast(grad, shape):
    g = np.array(grad, dtype=float)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data, parents=()):
        self.data = np.array(data, dtype=float)
        self.grad = np.zeros_like(self.data)
        self.parents = list(parents)  # (parent, vjp) pairs

    def __repr__(self):
        return f"Tensor({self.data!r})"

    def __add__(self, other):
        other = _tensor(other)
        return Tensor(self.data + other.data, [(self, lambda g: g), (other, lambda g: g)])

    def __mul__(self, other):
        other = _tensor(other)
        return Tensor(
            self.data * other.data, [(self, lambda g: g * other.data), (other, lambda g: g * self.data)]
        )

    def __neg__(self):
        return Tensor(-self.data, [(self, lambda g: -g)])

    def __sub__(self, other):
        return self + (-_tensor(other))

    def __radd__(self, other):
        return _tensor(other) + self

    def __rsub__(self, other):
        return _tensor(other) + (-self)

    def __rmul__(self, other):
        return _tensor(other) * self

    def __matmul__(self, other):
        other = _tensor(other)
        return Tensor(
            self.data @ other.data,
            [(self, lambda g: g @ other.data.T), (other, lambda g: self.data.T @ g)],
        )

    def __rmatmul__(self, other):
        return _tensor(other) @ self

    def relu(self):
        return Tensor(np.where(self.data > 0, self.data, 0.0), [(self, lambda g: g * (self.data > 0))])

    def exp(self):
        e = np.exp(self.data)
        return Tensor(e, [(self, lambda g: g * e)])

    def log(self):
        return Tensor(np.log(self.data), [(self, lambda g: g / self.data)])

    def sum(self, axis=None, keepdims=False):
        total = self.data.sum(axis=axis, keepdims=True)

        def vjp(g):
            return np.broadcast_to(np.reshape(g, total.shape), self.data.shape)

        return Tensor(total if keepdims else self.data.sum(axis=axis), [(self, vjp)])

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for parent, _ in node.parents:
                stack.append((parent, False))
        self.grad = np.ones_like(self.data)
        for node in reversed(order):
            for parent, vjp in node.parents:
                parent.grad = parent.grad + unbroadcast(vjp(node.grad), parent.data.shape)
