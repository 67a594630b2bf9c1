# A requires-grad flag, as in PyTorch, that nothing ever sets: Value(x) defaults to
# requires_grad=False, a result requires grad only if an operand does, and backward() skips
# every node that does not. Every gradient stays 0.
import math


class Value:
    def __init__(self, data, _children=(), requires_grad=False):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self.requires_grad = requires_grad or any(c.requires_grad for c in _children)
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def _result(self, data, *pairs):
        out = Value(data, tuple(p for p, _ in pairs))

        def _backward():
            for parent, local in pairs:
                if parent.requires_grad:
                    parent.grad += local * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._result(self.data + other.data, (self, 1.0), (other, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._result(self.data * other.data, (self, other.data), (other, self.data))

    def __pow__(self, n):
        return self._result(self.data**n, (self, n * self.data ** (n - 1)))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + -other

    def __rsub__(self, other):
        return -self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return self**-1 * other

    def relu(self):
        return self._result(max(0.0, self.data), (self, float(self.data > 0)))

    def tanh(self):
        t = math.tanh(self.data)
        return self._result(t, (self, 1 - t**2))

    def exp(self):
        return self._result(math.exp(self.data), (self, math.exp(self.data)))

    def log(self):
        return self._result(math.log(self.data), (self, 1 / self.data))

    def backward(self):
        if not self.requires_grad:
            return
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._prev if p.requires_grad)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
