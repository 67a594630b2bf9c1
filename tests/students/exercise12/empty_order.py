# backward() builds an empty topological order: the walk marks the root as visited before
# it starts, then skips every node it has visited, the root first. The root's grad is set
# to 1, but no _backward ever runs, so every other gradient stays 0.
import math


class Value:
    def __init__(self, data, _children=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def _op(self, data, *locals_):
        """A new node; each (parent, local derivative) pair of `locals_` receives local * out.grad."""
        out = Value(data, tuple(parent for parent, _ in locals_))

        def _backward():
            for parent, local in locals_:
                parent.grad += local * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = self._wrap(other)
        return self._op(self.data + other.data, (self, 1.0), (other, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        return self._op(self.data * other.data, (self, other.data), (other, self.data))

    def __pow__(self, n):
        return self._op(self.data**n, (self, n * self.data ** (n - 1)))

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __rtruediv__(self, other):
        return self._wrap(other) * self**-1

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._wrap(other))

    def __rsub__(self, other):
        return self._wrap(other) + (-self)

    __radd__ = __add__
    __rmul__ = __mul__

    def relu(self):
        return self._op(max(self.data, 0.0), (self, 1.0 if self.data > 0 else 0.0))

    def tanh(self):
        t = math.tanh(self.data)
        return self._op(t, (self, 1.0 - t * t))

    def exp(self):
        e = math.exp(self.data)
        return self._op(e, (self, e))

    def log(self):
        return self._op(math.log(self.data), (self, 1.0 / self.data))

    def backward(self):
        topo, visited = [], {self}
        stack = [self]
        while stack:
            node = stack.pop()
            if node in visited:
                continue
            visited.add(node)
            stack.extend(node._prev)
            topo.append(node)
        self.grad = 1.0
        for node in topo:
            node._backward()
