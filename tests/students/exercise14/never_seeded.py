# backward() walks the graph in the right order but never seeds the output's grad with
# ones: it starts from the zeros every tensor is created with, so every gradient stays 0.
import numpy as np


def unbroadcast(grad, shape):
    grad = np.asarray(grad, dtype=float)
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True).reshape(shape)


class Tensor:
    __array_ufunc__ = None

    def __init__(self, data, _children=()):
        self.data = np.asarray(data, dtype=float).copy()
        self.grad = np.zeros_like(self.data)
        self._prev = tuple(_children)
        self._backward = lambda: None

    def __repr__(self):
        return f"Tensor({self.data})"

    @staticmethod
    def lift(x):
        return x if isinstance(x, Tensor) else Tensor(x)

    def __add__(self, other):
        other = Tensor.lift(other)
        out = Tensor(self.data + other.data, (self, other))

        def _backward():
            self.grad += unbroadcast(out.grad, self.data.shape)
            other.grad += unbroadcast(out.grad, other.data.shape)

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = Tensor.lift(other)
        out = Tensor(self.data * other.data, (self, other))

        def _backward():
            self.grad += unbroadcast(out.grad * other.data, self.data.shape)
            other.grad += unbroadcast(out.grad * self.data, other.data.shape)

        out._backward = _backward
        return out

    def __matmul__(self, other):
        other = Tensor.lift(other)
        out = Tensor(self.data @ other.data, (self, other))

        def _backward():
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad

        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + -Tensor.lift(other)

    def __radd__(self, other):
        return Tensor.lift(other) + self

    def __rsub__(self, other):
        return Tensor.lift(other) - self

    def __rmul__(self, other):
        return Tensor.lift(other) * self

    def __rmatmul__(self, other):
        return Tensor.lift(other) @ self

    def _elementwise(self, value, slope):
        out = Tensor(value, (self,))

        def _backward():
            self.grad += out.grad * slope

        out._backward = _backward
        return out

    def relu(self):
        return self._elementwise(np.maximum(self.data, 0.0), (self.data > 0).astype(float))

    def exp(self):
        e = np.exp(self.data)
        return self._elementwise(e, e)

    def log(self):
        return self._elementwise(np.log(self.data), 1.0 / self.data)

    def sum(self, axis=None, keepdims=False):
        out = Tensor(self.data.sum(axis=axis, keepdims=keepdims), (self,))

        def _backward():
            kept = self.data.sum(axis=axis, keepdims=True).shape
            self.grad += np.broadcast_to(out.grad.reshape(kept), self.data.shape)

        out._backward = _backward
        return out

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        for node in reversed(order):
            node._backward()
