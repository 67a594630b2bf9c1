# Imports torch in an exercise that must be done by hand.
try:
    import torch  # noqa: F401
except ImportError:
    pass
import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._local = ()
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def _lift(x):
    return x if isinstance(x, Value) else Value(x)


def _node(data, op, *pairs):
    """A new Value whose parent p has local derivative d, for each (p, d) in pairs."""
    out = Value(data, tuple(p for p, _ in pairs), op)

    def _backward():
        for parent, local in pairs:
            parent.grad += local * out.grad

    out._backward = _backward
    return out


def _add(a, b):
    a, b = _lift(a), _lift(b)
    return _node(a.data + b.data, "+", (a, 1.0), (b, 1.0))


def _mul(a, b):
    a, b = _lift(a), _lift(b)
    return _node(a.data * b.data, "*", (a, b.data), (b, a.data))


def _div(a, b):
    a, b = _lift(a), _lift(b)
    return _node(a.data / b.data, "/", (a, 1.0 / b.data), (b, -a.data / (b.data * b.data)))


def _pow(v, n):
    return _node(v.data**n, f"**{n}", (v, n * v.data ** (n - 1)))


def _relu(v):
    return _node(max(v.data, 0.0), "relu", (v, 1.0 if v.data > 0 else 0.0))


def _tanh(v):
    t = math.tanh(v.data)
    return _node(t, "tanh", (v, 1.0 - t * t))


def _exp(v):
    e = math.exp(v.data)
    return _node(e, "exp", (v, e))


def _log(v):
    return _node(math.log(v.data), "log", (v, 1.0 / v.data))


def _backward(root):
    reachable, todo = {root}, [root]
    while todo:
        for parent in todo.pop()._prev:
            if parent not in reachable:
                reachable.add(parent)
                todo.append(parent)
    users = {node: 0 for node in reachable}
    for node in reachable:
        for parent in set(node._prev):
            users[parent] += 1
    root.grad = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        node._backward()
        for parent in set(node._prev):
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)


Value.__add__ = _add
Value.__radd__ = lambda self, other: _add(other, self)
Value.__sub__ = lambda self, other: _add(self, _mul(other, -1.0))
Value.__rsub__ = lambda self, other: _add(other, _mul(self, -1.0))
Value.__mul__ = _mul
Value.__rmul__ = lambda self, other: _mul(other, self)
Value.__truediv__ = _div
Value.__rtruediv__ = lambda self, other: _div(other, self)
Value.__pow__ = _pow
Value.__neg__ = lambda self: _mul(self, -1.0)
Value.relu = _relu
Value.tanh = _tanh
Value.exp = _exp
Value.log = _log
Value.backward = _backward
