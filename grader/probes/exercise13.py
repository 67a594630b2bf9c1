"""Probes for exercise 13: `topological_order(root)` and `backward(root)` on the grader's own nodes.

The probes build bare nodes (`Node`: `_prev`, `_backward`, `grad`, nothing the student
could lean on) from a graph described by plain data, and report what the submission did
as node indices: the order it returned, the order in which it called the `_backward`s.
The judges rebuild the same graph from the case inputs and check those sequences in the
grader. Gradients through real arithmetic are checked with exercise 12's expressions.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial, wraps
from typing import Any

import numpy as np

from grader.probes.base import Inputs, ProbeError, Verdict, as_float, fixed, prop
from grader.probes.exercise12 import (
    ACCUMULATION,
    DL,
    NEURON,
    Engine,
    Expression,
    gradient_probe,
    recursion_verdict,
)

DUPLICATES = "duplicate-nodes"
FORWARD = "forward-order"
DEPTH = 100_000
Graph = list[tuple[int, ...]]


def _nothing() -> None:
    pass


class Node:
    """A node with only what SPEC promises (`_prev`, `_backward`, `grad`) and the probe's own
    `data` and `index` (its position in a graph built by `build`)."""

    def __init__(self, data: float = 0.0, prev: Iterable[Node] = (), index: int = -1) -> None:
        self.data, self.grad, self.index = data, 0.0, index
        self._prev: tuple[Node, ...] | set[Node] = tuple(prev)
        self._backward: Callable[[], None] = _nothing

    def __add__(self, other: Node | float) -> Node:
        other = _node(other)
        return _combine(self.data + other.data, (self, 1.0), (other, 1.0))

    def __mul__(self, other: Node | float) -> Node:
        other = _node(other)
        return _combine(self.data * other.data, (self, other.data), (other, self.data))

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self) -> Node:
        t = math.tanh(self.data)
        return _combine(t, (self, 1.0 - t * t))


def _node(x: Node | float) -> Node:
    return x if isinstance(x, Node) else Node(float(x))


def _combine(data: float, *parts: tuple[Node, float]) -> Node:
    """A node computed from `parts` (input, local derivative), with the chain rule as `_backward`."""
    out = Node(data, (node for node, _ in parts))

    def _backward() -> None:
        for node, local in parts:
            node.grad += local * out.grad

    out._backward = _backward
    return out


class NodeEngine(Engine):
    """Exercise 12's expressions on the probe's nodes, differentiated by the submission's `backward`."""

    requires = ("backward",)

    def leaf(self, x: np.ndarray) -> Node:
        return Node(float(x))

    def loss(self, out: Node) -> float:
        return out.data

    def backward(self, out: Node) -> None:
        self.module.backward(out)


# ---------------------------------------------------------------------------------------------
# Graphs as plain data: node i's `_prev` lists indices of earlier nodes; the last node is the root.


def graph(inputs: Inputs) -> Graph:
    """The graph a case describes: explicit `prev` lists, or a chain where node i uses i-1 and 0."""
    if "chain" in inputs:
        return [(), *((i - 1, 0) for i in range(1, inputs["chain"] + 1))]
    return [tuple(p) for p in inputs["prev"]]


def build(prev: Graph, as_set: bool = False) -> list[Node]:
    """Bare nodes for `prev`, whose `_prev` are tuples or, with `as_set`, sets."""
    nodes: list[Node] = []
    for index, inputs in enumerate(prev):
        node = Node(prev=(nodes[i] for i in inputs), index=index)
        if as_set:
            node._prev = set(node._prev)
        nodes.append(node)
    return nodes


def reachable(prev: Graph) -> set[int]:
    """Indices of the nodes the root depends on, and of the root."""
    root = len(prev) - 1
    found, todo = {root}, [root]
    while todo:
        for i in prev[todo.pop()]:
            if i not in found:
                found.add(i)
                todo.append(i)
    return found


def _repeated(sequence: Sequence[int]) -> tuple[int, int] | None:
    """(node, count) of the first node that occurs more than once."""
    counts = Counter(sequence)
    return next(((i, counts[i]) for i in sequence if counts[i] > 1), None)


def _before_input(prev: Graph, sequence: Sequence[int]) -> tuple[int, int] | None:
    """(node, input) of the first node that comes before one of its inputs in `sequence`."""
    position = {node: k for k, node in enumerate(sequence)}
    for k, node in enumerate(sequence):
        late = [i for i in prev[node] if position.get(i, -1) > k]
        if late:
            return node, late[0]
    return None


def _missing(prev: Graph, sequence: Sequence[int], what: str) -> str | None:
    """Which nodes reachable from the root `sequence` lacks, if any (it cannot hold others)."""
    expected = reachable(prev)
    missing = sorted(expected - set(sequence))
    if missing:
        count = f"{len(missing)} of the {len(expected)} nodes reachable from the root"
        return f"{count} {what} (e.g. node {missing[0]})"
    return None


def _indices(nodes: list[Node], sequence: Any, what: str) -> list[int]:
    """The submission's sequence of nodes as the indices of the probe's nodes."""
    try:
        items = list(sequence)
    except TypeError:
        raise ProbeError(f"{what} should return a list of nodes, got a {type(sequence).__name__}") from None
    for item in items:
        if not (isinstance(item, Node) and 0 <= item.index < len(nodes) and nodes[item.index] is item):
            raise ProbeError(f"{what} returned a {type(item).__name__} that is not a node of the graph")
    return [item.index for item in items]


# ---------------------------------------------------------------------------------------------
# topological_order


def _order_verdict(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """Every reachable node exactly once, each after its inputs (so the root comes last)."""
    if observed["recursion_error"]:
        return recursion_verdict("topological_order(root)")
    prev, order = graph(inputs), np.asarray(observed["order"], dtype=np.int64).tolist()
    repeat = _repeated(order)
    if repeat:
        node, count = repeat
        message = f"node {node} is listed {count} times; list every node exactly once"
        return Verdict(False, message, DUPLICATES)
    missing = _missing(prev, order, "are missing")
    if missing:
        return Verdict(False, missing)
    early = _before_input(prev, order)
    if early and order[0] == len(prev) - 1:
        return Verdict(False, "the order is reversed: the root comes first, but it must come last")
    if early:
        return Verdict(False, f"node {early[0]} is listed before its input node {early[1]}")
    return Verdict(True)


def _diamond_ladder(rungs: int) -> list[list[int]]:
    """Diamonds stacked on each other: every node is reached along many paths."""
    prev: list[list[int]] = [[]]
    for _ in range(rungs):
        top = len(prev) - 1
        prev += [[top], [top], [top + 1, top + 2]]
    return prev


def random_dag(rng: np.random.Generator, n: int) -> list[list[int]]:
    """Three leaves, then nodes using one to three of the five before them (repeats allowed).

    Small enough that a walk without a visited set, which lists a node once per path to
    it, still ends quickly; some nodes stay unreachable from the root.
    """
    sizes = rng.integers(1, 4, size=n)
    return [rng.integers(max(0, i - 5), i, size=sizes[i]).tolist() if i >= 3 else [] for i in range(n)]


_rng = np.random.default_rng(1300)
GRAPHS: dict[str, Inputs] = {
    "a single node": {"prev": [[]]},
    "a chain": {"prev": [[], [0], [1], [2], [3]]},
    "a diamond": {"prev": [[], [0], [0], [1, 2]]},
    "a node reached along many paths": {"prev": [[], [0, 0], [0], [1, 2, 1]]},
    # A walk that marks nodes as visited when it pushes them lists node 2 before node 1 in
    # one of these two (which one depends on the order in which it pushes the inputs).
    "a shortcut: the root uses node 1 directly and through node 2": {"prev": [[], [0], [1], [1, 2]]},
    "the same shortcut, inputs the other way round": {"prev": [[], [0], [1], [2, 1]]},
    "stacked diamonds": {"prev": _diamond_ladder(4)},
    "a random graph": {"prev": random_dag(_rng, 12)},
    "a random graph whose _prev are sets": {"prev": random_dag(_rng, 12), "set": True},
}
RANDOM_GRAPHS: dict[str, Inputs] = {
    f"random graph {i + 1}": {"prev": random_dag(_rng, 14), "set": i % 2 == 1} for i in range(6)
}


def _collector_paused(probe: Callable[[Any, Inputs], Any]) -> Callable[[Any, Inputs], Any]:
    """`probe` with Python's cycle collector off until its graph is freed.

    The collector would rescan a 100,000-node graph many times while it is built, and
    again after the probe returns; the nodes themselves hold no cycles.
    """

    @wraps(probe)
    def run(module: Any, inputs: Inputs) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return probe(module, inputs)
        finally:
            if was_enabled:
                gc.enable()

    return run


@_collector_paused
def _order(module: Any, inputs: Inputs) -> dict[str, Any]:
    nodes = build(graph(inputs), inputs.get("set", False))
    try:
        order = module.topological_order(nodes[-1])
    except RecursionError:
        return {"recursion_error": True}
    # An array travels much faster than a list of 100,000 ints.
    return {"recursion_error": False, "order": np.array(_indices(nodes, order, "topological_order"))}


topological_order = prop(("topological_order",), fixed(GRAPHS), judge=_order_verdict)(_order)
topological_order_random = prop(("topological_order",), fixed(RANDOM_GRAPHS), judge=_order_verdict)(_order)


def _chain_verdict(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """A chain has a single topological order: recognise it at once, else say what is wrong."""
    found = observed.get("order")
    if found is not None and np.array_equal(found, np.arange(inputs["chain"] + 1)):
        return Verdict(True)
    return _order_verdict(inputs, observed)


deep_chain = prop(
    ("topological_order",), fixed({f"a chain {DEPTH:,} nodes deep": {"chain": DEPTH}}), judge=_chain_verdict
)(_order)


# ---------------------------------------------------------------------------------------------
# backward


def _calls_verdict(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """root.grad = 1 first; then every reachable node's `_backward` once, after all its consumers."""
    prev, calls = graph(inputs), [node for node, _ in observed["calls"]]
    root = len(prev) - 1
    root_grad = next((grad for node, grad in observed["calls"] if node == root), observed["root_grad"])
    if root_grad != 1.0:
        return Verdict(False, f"root.grad was {root_grad:g} when the root's _backward ran, instead of 1.0")
    repeat = _repeated(calls)
    if repeat:
        node, count = repeat
        message = f"node {node}'s _backward was called {count} times; call each node's _backward exactly once"
        return Verdict(False, message, DUPLICATES)
    missing = _missing(prev, calls, "never had their _backward called")
    if missing:
        return Verdict(False, missing)
    early = _before_input(prev, calls[::-1])
    if early is None:
        return Verdict(True)
    node, used = early
    message = f"node {used}'s _backward ran before that of node {node}, which uses it"
    if _before_input(prev, calls) is None:
        return Verdict(False, f"the calls run in topological order, inputs first: {message}", FORWARD)
    return Verdict(False, message)


def _called(calls: list[tuple[int, Any]], index: int, node: Node) -> None:
    calls.append((index, node.grad))


@prop(("backward",), fixed(GRAPHS), judge=_calls_verdict)
def backward_calls(module: Any, inputs: Inputs) -> dict[str, Any]:
    """Each node's `_backward` records its index and its grad at the time of the call."""
    nodes = build(graph(inputs), inputs.get("set", False))
    calls: list[tuple[int, Any]] = []
    for index, node in enumerate(nodes):
        node._backward = partial(_called, calls, index, node)
    module.backward(nodes[-1])
    return {
        "calls": [(index, as_float(grad, f"node {index}'s grad")) for index, grad in calls],
        "root_grad": as_float(nodes[-1].grad, "root.grad"),
    }


EXPRESSIONS = {
    "a * a with a = 3x (a node used twice)": Expression(lambda x: (lambda a: a * a)(x * 3), {"x": 1.5}, DL),
    **ACCUMULATION,
    "neuron tanh(x1*w1 + x2*w2 + b)": NEURON,
}
backward_gradients = gradient_probe(NodeEngine, EXPRESSIONS)
