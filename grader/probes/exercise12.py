"""Probes for exercise 12: the scalar autograd engine `Value`.

Each operator is checked on its own, one named case per operator and operand form, so that
a failure names both ("__truediv__: the gradient w.r.t. the denominator is off"). Whole
expressions then check that gradients flow and accumulate through a graph, and a deep
chain that `backward()` walks the graph without recursion.

`Expression`, `Engine` and the probe factories are shared with exercises 13 and 14: an
expression is written once and evaluated on any engine's nodes.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.answers import Number, Record
from grader.probes.base import (
    Case,
    GradProblem,
    Inputs,
    Probe,
    ProbeError,
    Verdict,
    as_array,
    as_float,
    fixed,
    gradcheck,
    prop,
    seeded,
    value,
)

Cases = Callable[[int, int], list[Case]]
#: How expression tables name the gradient of a named variable: "dL/da".
DL = "dL/d{}"
RECURSIVE = "recursive-topological-sort"


@dataclass(frozen=True)
class Expression:
    """A function of named inputs, written once for every engine, and where to evaluate it.

    `at` maps each input's name to its value (JSON-able), in the order `build` takes them;
    `label` names an input's gradient in feedback ("the gradient w.r.t. the {}").
    """

    build: Callable[..., Any]
    at: Mapping[str, Any]
    label: str = "the gradient w.r.t. the {}"


class Engine(ABC):
    """How the expression probes drive one autograd engine: leaves, loss and backward pass."""

    #: Names the submission must define for the engine to run.
    requires: tuple[str, ...] = ()
    #: How feedback names the value that the gradient check differentiates.
    value = "out.data"

    def __init__(self, module: Any) -> None:
        self.module = module

    @abstractmethod
    def leaf(self, x: np.ndarray) -> Any:
        """A fresh leaf node holding `x`."""

    @abstractmethod
    def loss(self, out: Any) -> float:
        """The scalar that `backward` differentiates, computed from the output's data only."""

    @abstractmethod
    def backward(self, out: Any) -> None:
        """Fill every leaf's grad with d loss / d leaf."""

    def evaluate(self, expression: Expression, params: Mapping[str, np.ndarray]) -> tuple[Any, list[Any]]:
        """The output node and the leaves; the output must be a node like the leaves."""
        leaves = [self.leaf(x) for x in params.values()]
        out = expression.build(*leaves)
        node = type(leaves[0])
        if not isinstance(out, node):
            raise ProbeError(f"the result is a {type(out).__name__}, not a {node.__name__}")
        return out, leaves

    def run(self, expression: Expression, params: Mapping[str, np.ndarray]) -> tuple[Any, dict[str, Any]]:
        """The output node and each input's grad after the backward pass."""
        out, leaves = self.evaluate(expression, params)
        self.backward(out)
        return out, {name: leaf.grad for name, leaf in zip(params, leaves, strict=True)}

    def problem(self, expression: Expression, params: Mapping[str, np.ndarray]) -> GradProblem:
        """The expression's loss and gradients at `params`, for a gradient check."""
        return GradProblem(
            dict(params),
            loss=lambda p: self.loss(self.evaluate(expression, p)[0]),
            grads=lambda p: self.run(expression, p)[1],
            labels={name: expression.label.format(name) for name in params},
            value=self.value,
        )

    def values(self, expression: Expression, params: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """The output's data and every input's gradient, for comparison with the reference."""
        out, grads = self.run(expression, params)
        found = {"out.data": as_array(out.data, "out.data")}
        for name, grad in grads.items():
            label = expression.label.format(name)
            found[label] = as_array(grad, label)
        return found


#: The chapter's worked example L = (a*b + c)**2: its inputs and its graph, operand -> result.
WORKED_AT = {"a": 2.0, "b": -3.0, "c": 10.0}
WORKED_EDGES = [("a", "a·b"), ("b", "a·b"), ("a·b", "a·b + c"), ("c", "a·b + c"), ("a·b + c", "L")]


def worked_example_probe(engine: type[Engine], square: Callable[[Any], Any] = lambda s: s**2) -> Probe:
    """Every node's value and gradient in the worked example, so a report can draw the graph.

    `square` computes s**2 with what the engine has (a Tensor has no `**`: s * s).
    """

    def run(module: Any, inputs: Inputs) -> dict[str, Any]:
        drive = engine(module)
        a, b, c = (drive.leaf(np.array(inputs[name], dtype=np.float64)) for name in "abc")
        ab = a * b
        s = ab + c
        out = square(s)
        drive.backward(out)
        nodes = {"a": a, "b": b, "c": c, "a·b": ab, "a·b + c": s, "L": out}
        ids = {name: DL.format(name if len(name) == 1 else f"({name})") for name in nodes}
        return {
            "grads": {ids[name]: as_float(node.grad, ids[name]) for name, node in nodes.items()},
            "graph": {
                "nodes": [
                    {"id": ids[name], "label": name, "value": as_float(node.data, f"{name}.data")}
                    for name, node in nodes.items()
                ],
                "edges": [[ids[x], ids[y]] for x, y in WORKED_EDGES],
            },
        }

    return value(engine.requires, fixed({"worked example (a*b + c)**2": WORKED_AT}))(run)


def expression_cases(table: Mapping[str, Expression]) -> Cases:
    """One case per expression, named after it, carrying its name and its inputs."""
    return fixed({name: {"expression": name, "at": dict(e.at)} for name, e in table.items()})


def _params(inputs: Inputs) -> dict[str, np.ndarray]:
    return {name: np.array(x, dtype=np.float64) for name, x in inputs["at"].items()}


def gradient_probe(engine: type[Engine], table: Mapping[str, Expression]) -> Probe:
    """Gradient check of every expression of `table` against its own numerical derivatives."""

    def build(module: Any, inputs: Inputs) -> GradProblem:
        return engine(module).problem(table[inputs["expression"]], _params(inputs))

    return gradcheck(engine.requires, expression_cases(table))(build)


def forward_probe(engine: type[Engine], table: Mapping[str, Expression]) -> Probe:
    """The output of every expression of `table`, compared with the reference's."""

    def run(module: Any, inputs: Inputs) -> dict[str, Any]:
        out, _ = engine(module).evaluate(table[inputs["expression"]], _params(inputs))
        return {"out.data": as_array(out.data, "out.data")}

    return value(engine.requires, expression_cases(table))(run)


def values_probe(
    engine: type[Engine], expression: Expression, draw: Callable[[np.random.Generator], dict[str, Any]]
) -> Probe:
    """Output and gradients of `expression` at seeded random inputs, compared with the reference's."""

    def run(module: Any, inputs: Inputs) -> dict[str, Any]:
        return engine(module).values(expression, _params(inputs))

    return value(engine.requires, seeded(lambda rng: {"at": draw(rng)}))(run)


def recursion_verdict(call: str) -> dict[str, Verdict]:
    """What a RecursionError on a deep graph means: the graph was walked by recursion."""
    message = (
        f"{call} raised RecursionError: a recursive graph walk cannot go deeper than "
        "Python's recursion limit (about 1000 calls)"
    )
    return {"RecursionError": Verdict(False, message, RECURSIVE)}


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
