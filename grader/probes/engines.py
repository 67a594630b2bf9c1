"""The engine probe library: probes that drive any autograd engine through one adapter.

Exercises 12, 13 and 14 ask for engines whose nodes differ (a scalar `Value`, the grader's
bare nodes, a `Tensor`) but whose expressions, gradient checks and worked example do not.
They live here, apart from any one exercise, so that an expression is written once, as an
`Expression`, and evaluated on any engine's nodes through an `Engine` (the reference tests
run the exercises' tables too). Like every probe module it is imported by the worker, so
it imports nothing beyond numpy and the probes' own base.

Feedback follows the data flow: gradients are listed from the loss backwards
(`backward_order`), so a judge that reports the first wrong one names where the error
starts, not the leaf farthest from it; and an error raised in a backward pass that another
fault of the engine explains says so (`Engine.knock_on`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

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
    seeded,
    value,
)

Cases = Callable[[int, int], list[Case]]
#: How expression tables name the gradient of a named variable: "dL/da".
DL = "dL/d{}"
RECURSIVE = "recursive-topological-sort"
#: Every gradient still 0 after backward(): the pass never got from the output to the leaves.
UNREACHED = "backward-never-reached-leaves"
Node = TypeVar("Node", bound=Hashable)


def backward_order(edges: Iterable[tuple[Node, Node]], root: Node) -> list[Node]:
    """The nodes behind `root`, each after every node that uses it, `root` first.

    `edges` are (operand, result) pairs of nodes that `root` depends on. This is the order in which
    a backward pass completes the gradients, so the first wrong gradient in it is where an error
    starts: every node after it may only inherit the error.
    """
    edges = list(edges)
    users = Counter(operand for operand, _ in edges)
    operands: dict[Node, list[Node]] = {}
    for operand, result in edges:
        operands.setdefault(result, []).append(operand)
    order, ready = [], deque([root])
    while ready:
        node = ready.popleft()
        order.append(node)
        for operand in operands.get(node, ()):
            users[operand] -= 1
            if users[operand] == 0:
                ready.append(operand)
    return order


@dataclass(frozen=True)
class Expression:
    """A function of named inputs, written once for every engine, and where to evaluate it.

    `at` maps each input's name to its value (JSON-able), in the order `build` takes them;
    `label` names an input's gradient in feedback ("the gradient w.r.t. the {}").
    """

    build: Callable[..., Any]
    at: Mapping[str, Any]
    label: str = "the gradient w.r.t. the {}"

    @cached_property
    def flow(self) -> list[str]:
        """The inputs' names in the order a backward pass from the output completes their gradients."""
        leaves = {name: _Trace() for name in self.at}
        out = self.build(*leaves.values())
        position = {node: k for k, node in enumerate(backward_order(_Trace.edges(out), out))}
        return sorted(self.at, key=lambda name: position.get(leaves[name], len(position)))


class _Trace:
    """A stand-in node recording which nodes each operation combines (no values): an expression
    built on it is its graph, whatever the operators and methods it uses. Nodes are compared by
    identity."""

    __array_ufunc__ = None  # an ndarray on the left defers to the reflected operator

    def __init__(self, *operands: Any) -> None:
        self.operands = [x for x in operands if isinstance(x, _Trace)]

    def _apply(self, *others: Any) -> _Trace:
        return _Trace(self, *others)

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _apply
    __truediv__ = __rtruediv__ = __pow__ = __matmul__ = __rmatmul__ = __neg__ = _apply

    def __getattr__(self, name: str) -> Callable[..., _Trace]:
        """A public method (relu, tanh, exp, log, sum(axis=...)) is one more operation on this node."""
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: _Trace(self)

    @staticmethod
    def edges(out: _Trace) -> list[tuple[_Trace, _Trace]]:
        """(operand, result) of every operation `out` depends on."""
        found, seen, todo = [], {out}, [out]
        while todo:
            node = todo.pop()
            for operand in node.operands:
                found.append((operand, node))
                if operand not in seen:
                    seen.add(operand)
                    todo.append(operand)
        return found


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

    def knock_on(self, error: Exception) -> str | None:
        """Why `error`, raised in a backward pass, comes from another fault of the engine (None: no known
        fault explains it). Runs in the worker, only after such an error."""
        return None

    def propagate(self, out: Any) -> None:
        """`backward`, where an error that another fault explains says so (see `knock_on`)."""
        try:
            self.backward(out)
        except Exception as error:
            explanation = self.knock_on(error)
            if explanation is not None:
                _append(error, explanation)
            raise

    def evaluate(
        self, expression: Expression, params: Mapping[str, np.ndarray]
    ) -> tuple[Any, dict[str, Any]]:
        """The output node and the leaves by name; the output must be a node like the leaves."""
        leaves = {name: self.leaf(params[name]) for name in expression.at}
        out = expression.build(*leaves.values())
        node = type(next(iter(leaves.values())))
        if not isinstance(out, node):
            raise ProbeError(f"the result is a {type(out).__name__}, not a {node.__name__}")
        return out, leaves

    def run(self, expression: Expression, params: Mapping[str, np.ndarray]) -> tuple[Any, dict[str, Any]]:
        """The output node and each input's grad after the backward pass, in the order of `params`."""
        out, leaves = self.evaluate(expression, params)
        self.propagate(out)
        return out, {name: leaves[name].grad for name in params}

    def problem(self, expression: Expression, params: Mapping[str, np.ndarray]) -> GradProblem:
        """The expression's loss and gradients at `params`, for a gradient check: the gradients
        listed from the output backwards, so that the first wrong one is the one nearest the loss."""
        return GradProblem(
            {name: params[name] for name in expression.flow},
            loss=lambda p: self.loss(self.evaluate(expression, p)[0]),
            grads=lambda p: self.run(expression, p)[1],
            labels={name: expression.label.format(name) for name in expression.flow},
            value=self.value,
        )

    def values(self, expression: Expression, params: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """The output's data and every input's gradient (from the output backwards), for comparison
        with the reference."""
        out, grads = self.run(expression, {name: params[name] for name in expression.flow})
        found = {"out.data": as_array(out.data, "out.data")}
        for name, grad in grads.items():
            label = expression.label.format(name)
            found[label] = as_array(grad, label)
        return found


def _append(error: Exception, explanation: str) -> None:
    """Add `explanation` to a plain built-in exception's message; its type and traceback stay, so
    feedback still says what was raised and on which line. Other exceptions are left as they are."""
    if type(error).__module__ == "builtins" and len(error.args) == 1 and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]}; {explanation}",)


def raised_in(error: BaseException) -> str:
    """The function of the submission that raised `error`: the innermost frame outside numpy and the
    grader, as "Tensor.sum's backward" for a function defined inside `Tensor.sum`."""
    skip = (str(Path(np.__file__).parent), str(Path(__file__).resolve().parents[1]))
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    code = next((c for c in reversed(frames) if not c.co_filename.startswith(skip)), None)
    if code is None:
        return "a backward function"
    name = getattr(code, "co_qualname", code.co_name)  # Python 3.10 has no qualified name
    owner, inside, _ = name.partition(".<locals>.")
    if inside:
        return f"{owner}'s backward"
    return name if "." in name else "a backward function"


#: The chapter's worked example L = (a*b + c)**2: its inputs and its graph, operand -> result.
WORKED_AT = {"a": 2.0, "b": -3.0, "c": 10.0}
WORKED_EDGES = [("a", "a·b"), ("b", "a·b"), ("a·b", "a·b + c"), ("c", "a·b + c"), ("a·b + c", "L")]
#: Its nodes from the loss backwards: the gradients are listed in this order, so that a judge
#: reporting the first wrong one names the node where the error starts.
WORKED_ORDER = backward_order(WORKED_EDGES, "L")
#: Each operation's sign, for the report's graph.
WORKED_OPS = {"a·b": "×", "a·b + c": "+"}


@dataclass(frozen=True)
class Square:
    """How the worked example squares s = a·b + c with what the engine has."""

    compute: Callable[[Any], Any]
    #: The operation's sign and how many times it uses s (s * s uses it twice: two edges to draw).
    op: str
    uses: int
    #: The example as the case names it.
    written: str


POWER = Square(lambda s: s**2, "²", 1, "(a*b + c)**2")
#: A Tensor has no `**`.
PRODUCT = Square(lambda s: s * s, "×", 2, "(a*b + c)*(a*b + c)")


def worked_example_probe(engine: type[Engine], square: Square = POWER) -> Probe:
    """Every node's value and gradient in the worked example, so a report can draw the graph; the
    gradients from the loss backwards (`WORKED_ORDER`)."""

    def run(module: Any, inputs: Inputs) -> dict[str, Any]:
        drive = engine(module)
        a, b, c = (drive.leaf(np.array(inputs[name], dtype=np.float64)) for name in "abc")
        ab = a * b
        s = ab + c
        out = square.compute(s)
        drive.propagate(out)
        nodes = {"a": a, "b": b, "c": c, "a·b": ab, "a·b + c": s, "L": out}
        ids = {name: DL.format(name if len(name) == 1 else f"({name})") for name in nodes}
        ops = {**WORKED_OPS, "L": square.op}
        return {
            "grads": {ids[name]: as_float(nodes[name].grad, ids[name]) for name in WORKED_ORDER},
            "graph": {
                "nodes": [
                    {
                        "id": ids[name],
                        "label": name,
                        "value": as_float(node.data, f"{name}.data"),
                        **({"op": ops[name]} if name in ops else {}),
                    }
                    for name, node in nodes.items()
                ],
                "edges": [[ids[x], ids[y]] for x, y in WORKED_EDGES for _ in range(_uses(y, square))],
            },
        }

    return value(engine.requires, fixed({f"worked example {square.written}": WORKED_AT}))(run)


def _uses(result: str, square: Square) -> int:
    """How many edges lead into `result` from each of its operands."""
    return square.uses if result == "L" else 1


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
