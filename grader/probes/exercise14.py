"""Probes for exercise 14: the tensor autograd engine `Tensor` and `unbroadcast`.

As for exercise 12's `Value`, every operator is checked on its own in named cases, with
the operand named in feedback; broadcasting pairs have cases of their own, where a
gradient of the wrong shape is reported with "did you forget to sum over the broadcast
axes?". A non-scalar output is reduced to the loss sum(W * out) with fixed random weights
W, so that the upstream gradient differs from entry to entry.

A gradient of the wrong shape that an operator stores without complaint makes a later
backward fail (sum's reshape, a matrix product); such an error says that it is a knock-on
and points at the broadcasting case that shows the cause.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from grader.probes.base import Inputs, arrays, as_array, fixed, value
from grader.probes.engines import (
    DL,
    PRODUCT,
    Engine,
    Expression,
    forward_probe,
    gradient_probe,
    raised_in,
    values_probe,
    worked_example_probe,
)

#: The title of the rubric's check of BROADCASTING, where a knock-on error sends the student.
BROADCASTING_CHECK = "Gradients of broadcast operands are summed back to their shapes"


def weights(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed weights of the loss sum(W * out); 1 for a scalar output, which then needs no reduction."""
    if not shape:
        return np.ones(())
    return np.random.default_rng(14).standard_normal(shape)


class TensorEngine(Engine):
    """The submission's `Tensor`: the loss is sum(W * out)."""

    requires = ("Tensor",)
    value = "the loss sum(W * out.data)"

    def leaf(self, x: np.ndarray) -> Any:
        return self.module.Tensor(x)

    def loss(self, out: Any) -> float:
        data = as_array(out.data, "out.data")
        return float(np.sum(weights(data.shape) * data))

    def backward(self, out: Any) -> None:
        """backward() from sum(W * out), through the submission's own `*` and `sum()`."""
        shape = as_array(out.data, "out.data").shape
        root = (out * self.module.Tensor(weights(shape))).sum() if shape else out
        root.backward()

    def knock_on(self, error: Exception) -> str | None:
        """A shape error (numpy's ValueError) while an operator silently gives a broadcast operand a
        gradient of the wrong shape: that gradient travelled on and failed here."""
        if type(error) is not ValueError:
            return None
        cause = self.misshaped()
        if cause is None:
            return None
        return (
            f"this error comes from a gradient of the wrong shape reaching {raised_in(error)}: "
            f"see '{BROADCASTING_CHECK}' ({cause})"
        )

    def misshaped(self) -> str | None:
        """The first broadcasting case whose backward pass runs but leaves an operand's grad in the
        wrong shape, said as the broadcasting check says it."""
        for case, expression in BROADCASTING.items():
            params = {name: np.array(x, dtype=np.float64) for name, x in expression.at.items()}
            try:
                out, leaves = self.evaluate(expression, params)
                self.backward(out)
                shapes = {name: np.shape(leaf.grad) for name, leaf in leaves.items()}
            except Exception:  # an error of its own is that case's failure, not a cause elsewhere
                continue
            for name, shape in shapes.items():
                if shape != params[name].shape:
                    label = expression.label.format(name)
                    return f"in {case}, {label} has shape {shape}, expected {params[name].shape}"
        return None


_rng = np.random.default_rng(1414)


def draw(*shape: int, positive: bool = False) -> Any:
    """Entries in [0.5, 2] (or ±[0.5, 2]), as nested lists: away from relu's kink and log(0)."""
    x = _rng.uniform(0.5, 2.0, shape)
    if not positive:
        x *= _rng.choice([-1.0, 1.0], shape)
    return x.tolist()


#: Constant ndarrays meeting a Tensor on the left: numpy must defer to the Tensor's reflected operator.
C34 = np.array(draw(3, 4))
C31 = np.array(draw(3, 1))


def _sum(**kwargs: Any) -> tuple[str, Expression]:
    arguments = ", ".join(f"{key}={value}" for key, value in kwargs.items())
    return f"sum({arguments})", Expression(lambda t: t.sum(**kwargs), {"input": draw(2, 3, 4)})


BINARY = {
    "+": ("__add__", operator.add, ("left operand", "right operand")),
    "-": ("__sub__", operator.sub, ("left operand", "right operand")),
    "*": ("__mul__", operator.mul, ("left factor", "right factor")),
    "@": ("__matmul__", operator.matmul, ("left matrix", "right matrix")),
}


def _binary(symbol: str, left: tuple[int, ...], right: tuple[int, ...]) -> tuple[str, Expression]:
    """A Tensor-Tensor case, named after the operator and the operands' shapes."""
    name, op, roles = BINARY[symbol]
    at = dict(zip(roles, (draw(*left), draw(*right)), strict=True))
    return f"{name} {left} {symbol} {right}", Expression(op, at)


# `sum()` and same-shape `*` come first: every non-scalar case reduces its output with them.
OPERATORS = dict(
    [
        _sum(),
        _binary("*", (3, 4), (3, 4)),
        _binary("+", (3, 4), (3, 4)),
        _binary("-", (3, 4), (3, 4)),
        ("__neg__ (-t)", Expression(lambda t: -t, {"operand": draw(3, 4)})),
        ("__radd__ (2 + t)", Expression(lambda t: 2.0 + t, {"right operand": draw(3, 4)})),
        ("__rsub__ (2 - t)", Expression(lambda t: 2.0 - t, {"right operand": draw(3, 4)})),
        ("__rmul__ (3 * t)", Expression(lambda t: 3.0 * t, {"right factor": draw(3, 4)})),
        _binary("@", (3, 3), (3, 3)),  # square: a missing transpose still runs, with wrong values
        _binary("@", (3, 4), (4, 2)),
        ("__rmatmul__ (ndarray (3, 4) @ t)", Expression(lambda t: C34 @ t, {"right matrix": draw(4, 2)})),
        ("relu", Expression(lambda t: t.relu(), {"input": draw(3, 4)})),
        ("exp", Expression(lambda t: t.exp(), {"input": draw(3, 4)})),
        ("log", Expression(lambda t: t.log(), {"input": draw(3, 4, positive=True)})),
        _sum(axis=0),
        _sum(axis=1, keepdims=True),
        _sum(axis=-1),
        _sum(axis=(0, 2)),
    ]
)

BROADCASTING = dict(
    [
        _binary("+", (3, 4), (4,)),
        _binary("*", (3, 1), (1, 4)),
        _binary("+", (2, 1, 3), (3,)),
        _binary("-", (3, 4), (3, 1)),
        _binary("*", (2, 1, 3), (4, 1)),
        _binary("+", (), (3, 4)),
        ("__radd__ (ndarray (3, 4) + t (4,))", Expression(lambda t: C34 + t, {"right operand": draw(4)})),
        (
            "__rsub__ (ndarray (3, 4) - t (3, 1))",
            Expression(lambda t: C34 - t, {"right operand": draw(3, 1)}),
        ),
        ("__rmul__ (ndarray (3, 1) * t (1, 4))", Expression(lambda t: C31 * t, {"right factor": draw(1, 4)})),
    ]
)

ACCUMULATION = {
    "t * t": Expression(lambda t: t * t, {"t": draw(3, 4)}, DL),
    "t + t": Expression(lambda t: t + t, {"t": draw(3, 4)}, DL),
    "diamond (t * 2) * (t + 1)": Expression(lambda t: (t * 2.0) * (t + 1.0), {"t": draw(3, 4)}, DL),
    "broadcast fan-out (b = a * c; b * b + b.sum(axis=0))": Expression(
        lambda a, c: (lambda b: b * b + b.sum(axis=0))(a * c), {"a": draw(3, 1), "c": draw(1, 4)}, DL
    ),
    "broadcast fan-out (b = a * c; b + b * b.sum(axis=0))": Expression(
        lambda a, c: (lambda b: b + b * b.sum(axis=0))(a * c), {"a": draw(3, 1), "c": draw(1, 4)}, DL
    ),
}


def _mlp(x: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    return (x @ W1 + b1).relu() @ W2 + b2


def _mlp_inputs(rng: np.random.Generator) -> dict[str, Any]:
    """A batch and weights of random sizes."""
    n, d, h, k = (int(s) for s in rng.integers(2, 6, size=4))
    shapes = {"x": (n, d), "W1": (d, h), "b1": (h,), "W2": (h, k), "b2": (k,)}
    return {name: rng.standard_normal(shape).tolist() for name, shape in shapes.items()}


MLP = Expression(
    _mlp, {"x": draw(5, 3), "W1": draw(3, 4), "b1": draw(4), "W2": draw(4, 2), "b2": draw(2)}, DL
)

EXPRESSIONS = {
    "MLP relu(x @ W1 + b1) @ W2 + b2": MLP,
    "log-softmax z - log(sum(exp(z), axis=1, keepdims=True))": Expression(
        lambda z: z - z.exp().sum(axis=1, keepdims=True).log(), {"z": draw(3, 4)}, DL
    ),
    "half squared error sum((x @ w - y) * (x @ w - y)) * 0.5": Expression(
        lambda x, w, y: (lambda d: (d * d).sum() * 0.5)(x @ w - y),
        {"x": draw(5, 3), "w": draw(3, 1), "y": draw(5, 1)},
        DL,
    ),
}

forward = forward_probe(TensorEngine, {**OPERATORS, **BROADCASTING})
operators = gradient_probe(TensorEngine, OPERATORS)
broadcasting = gradient_probe(TensorEngine, BROADCASTING)
accumulation = gradient_probe(TensorEngine, ACCUMULATION)
expressions = gradient_probe(TensorEngine, EXPRESSIONS)
mlp_values = values_probe(TensorEngine, MLP, _mlp_inputs)


def _unbroadcast_case(source: tuple[int, ...], shape: tuple[int, ...]) -> tuple[str, Inputs]:
    return f"unbroadcast {source} to {shape}", {"grad": draw(*source), "shape": list(shape)}


UNBROADCAST = dict(
    _unbroadcast_case(source, shape)
    for source, shape in [
        ((3, 4), (4,)),
        ((3, 4), (3, 1)),
        ((3, 4), (1, 4)),
        ((3, 4), ()),
        ((2, 3, 4), (3, 1)),
        ((2, 3, 4), (2, 1, 4)),
        ((2, 3, 4), (2, 3, 4)),
    ]
)


@value(("unbroadcast",), fixed(UNBROADCAST))
def unbroadcast(module: Any, inputs: Inputs) -> np.ndarray:
    (grad,) = arrays(inputs, "grad")
    return as_array(module.unbroadcast(grad, tuple(inputs["shape"])), "unbroadcast's result")


worked_example = worked_example_probe(TensorEngine, square=PRODUCT)
