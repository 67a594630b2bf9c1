"""Probes for exercise 12: the scalar autograd engine `Value`.

Each operator is checked on its own, one named case per operator and operand form, so that
a failure names both ("__truediv__: the gradient w.r.t. the denominator is off"). Whole
expressions then check that gradients flow and accumulate through a graph, and a deep
chain that `backward()` walks the graph without recursion.

The engine, the expressions and the deep chain are this exercise's; how an expression is
evaluated, checked and reported is the engine probe library's (`grader.probes.engines`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.answers import Number, Record
from grader.probes.base import Inputs, Verdict, as_float, fixed, prop
from grader.probes.engines import (
    DL,
    UNREACHED,
    WORKED_AT,
    Engine,
    Expression,
    forward_probe,
    gradient_probe,
    recursion_verdict,
    values_probe,
    worked_example_probe,
)


class ValueEngine(Engine):
    """The submission's `Value`: the loss is the output itself."""

    requires = ("Value",)

    def leaf(self, x: np.ndarray) -> Any:
        return self.module.Value(float(x))

    def loss(self, out: Any) -> float:
        return as_float(out.data, "out.data")

    def backward(self, out: Any) -> None:
        out.backward()


def _fan_out(b: Any) -> Any:
    """A non-leaf node used three times."""
    return b * b + b


def _fan_in_first(b: Any) -> Any:
    """The same, with the root's direct use of b first: a walk may then meet b's other user first."""
    return b + b * b


def _micrograd_sanity(x: Any) -> Any:
    """micrograd's test_sanity_check expression."""
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _micrograd_more_ops(a: Any, b: Any) -> Any:
    """micrograd's test_more_ops expression (each `+=` rebinds to a new node)."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


OPERATORS = {
    "__add__": Expression(lambda a, b: a + b, {"left operand": 1.5, "right operand": -0.7}),
    "__sub__": Expression(lambda a, b: a - b, {"left operand": 1.5, "right operand": -0.7}),
    "__mul__": Expression(lambda a, b: a * b, {"left factor": 1.5, "right factor": -0.7}),
    "__truediv__": Expression(lambda a, b: a / b, {"numerator": 1.5, "denominator": -0.8}),
    "__pow__ (v ** 3)": Expression(lambda v: v**3, {"base": 1.3}),
    "__pow__ (v ** -2)": Expression(lambda v: v**-2, {"base": -1.3}),
    "__pow__ (v ** 2.5)": Expression(lambda v: v**2.5, {"base": 1.3}),
    "__pow__ (v ** 0.5)": Expression(lambda v: v**0.5, {"base": 1.3}),
    "__neg__ (-v)": Expression(lambda v: -v, {"operand": 1.5}),
    "__radd__ (2 + v)": Expression(lambda v: 2 + v, {"right operand": 1.5}),
    "__rsub__ (2 - v)": Expression(lambda v: 2 - v, {"right operand": 1.5}),
    "__rmul__ (2 * v)": Expression(lambda v: 2 * v, {"right factor": 1.5}),
    "__rtruediv__ (2 / v)": Expression(lambda v: 2 / v, {"denominator": -0.8}),
    "numbers on the right ((v + 2) * 3 / 4 - 1.5)": Expression(
        lambda v: (v + 2) * 3 / 4 - 1.5, {"operand": 1.5}
    ),
    "relu (v > 0)": Expression(lambda v: v.relu(), {"input": 1.5}),
    # Plus 1: below zero relu's value and slope are 0, which an engine doing nothing matches too.
    "relu (v < 0)": Expression(lambda v: v.relu() + 1, {"input": -1.5}),
    "tanh": Expression(lambda v: v.tanh(), {"input": 0.7}),
    "exp": Expression(lambda v: v.exp(), {"input": 0.7}),
    "log": Expression(lambda v: v.log(), {"input": 1.7}),
}

ACCUMULATION = {
    "x * x": Expression(lambda x: x * x, {"x": 1.5}, DL),
    "x + x": Expression(lambda x: x + x, {"x": 1.5}, DL),
    "diamond (x * 2) * (x + 1)": Expression(lambda x: (x * 2) * (x + 1), {"x": 1.5}, DL),
    "non-leaf fan-out (b = 3x; b * b + b)": Expression(lambda x: _fan_out(x * 3), {"x": 1.5}, DL),
    "non-leaf fan-out (b = 3x; b + b * b)": Expression(lambda x: _fan_in_first(x * 3), {"x": 1.5}, DL),
}

NEURON = Expression(
    lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(),
    {"x1": 2.0, "x2": 0.5, "w1": -3.0, "w2": 1.0, "b": 6.3},
    DL,
)

EXPRESSIONS = {
    "worked example (a*b + c)**2": Expression(lambda a, b, c: (a * b + c) ** 2, WORKED_AT, DL),
    "neuron tanh(x1*w1 + x2*w2 + b)": NEURON,
    "micrograd's sanity check": Expression(_micrograd_sanity, {"x": -4.0}, DL),
    "log(1 + exp(a)) / (b*b + 1)": Expression(
        lambda a, b: (1 + a.exp()).log() / (b * b + 1), {"a": 0.3, "b": -1.2}, DL
    ),
}

#: Evaluated at random points; `at` holds micrograd's own point and fixes the input names.
MORE_OPS = Expression(_micrograd_more_ops, {"a": -4.0, "b": 2.0}, DL)


def _away_from_zero(rng: np.random.Generator) -> dict[str, Any]:
    """Inputs in ±[0.5, 2], where no relu sits on its kink."""
    x = rng.uniform(0.5, 2.0, 2) * rng.choice([-1.0, 1.0], 2)
    return {"a": float(x[0]), "b": float(x[1])}


forward = forward_probe(ValueEngine, OPERATORS)
operators = gradient_probe(ValueEngine, OPERATORS)
accumulation = gradient_probe(ValueEngine, ACCUMULATION)
expressions = gradient_probe(ValueEngine, EXPRESSIONS)
more_ops_values = values_probe(ValueEngine, MORE_OPS, _away_from_zero)

DEPTH = 10_000


def chain_factors(inputs: Inputs) -> list[float]:
    """The factors c_k of the deep chain's steps y <- y * c_k (odd steps; even ones add x), near 1."""
    factors = np.random.default_rng(inputs["seed"]).uniform(0.999, 1.001, size=int(inputs["depth"]) // 2)
    return [float(factor) for factor in factors]


def _deep_enough(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    """x.grad sums every path from x to the end of the chain, each weighted by the factors after it."""
    grad, total, carried = observed["grad"], 0.0, 1.0
    for factor in reversed(chain_factors(inputs)):
        carried *= factor
        total += carried  # the x added just before this factor
    total += carried  # the x the chain started from
    if grad == 0.0:
        return Verdict(False, "x.grad is still 0 after backward(): the pass never reached x", UNREACHED)
    if not math.isclose(grad, total, rel_tol=1e-9):
        return Verdict(
            False, f"x.grad is {grad:.10g}, expected {total:.10g}: a use of x along the chain was missed"
        )
    return Verdict(True)


@prop(
    ValueEngine.requires,
    fixed({f"a chain {DEPTH:,} nodes deep": {"depth": DEPTH, "seed": 12}}),
    _deep_enough,
    lambda inputs: Record({"grad": Number()}),
    raises=recursion_verdict("backward()"),
)
def deep_chain(module: Any, inputs: Inputs) -> dict[str, Any]:
    """y <- (y + x) * c_k, one node per operation, `depth` of them; backward() from the end."""
    x = module.Value(0.5)
    y = x
    for factor in chain_factors(inputs):
        y = (y + x) * factor
    y.backward()
    return {"grad": as_float(x.grad, "x.grad")}


worked_example = worked_example_probe(ValueEngine)
