"""Probes for exercise 13: `topological_order(root)` and `backward(root)` on the grader's own nodes.

A case describes a graph as plain data: `n` nodes numbered at random (so that no order can
be read off the numbering), `edges` `[consumer, input, local derivative]`, and the `root`.
The probe builds bare nodes from it (`_prev`, `_backward`, `grad`: nothing the student could
lean on) whose `_backward` applies the chain rule along its edges. It reports what the
submission did as node numbers: the order it returned, the grads after its backward pass,
and the order of the `_backward` calls. An order is judged against the graph itself; the
gradients against the correct solution's on the same graph (a wrong schedule gives wrong
gradients); the call log only explains what went wrong.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial, wraps
from typing import Any

import numpy as np

from grader.answers import Array, Items, Number, Record
from grader.probes.base import Inputs, ProbeError, Verdict, as_float, fixed, prop, seeded
from grader.probes.engines import UNREACHED, backward_order, recursion_verdict

DUPLICATES = "duplicate-nodes"
FORWARD = "forward-order"
DEPTH = 100_000
Edges = list[tuple[int, int, float]]


class Node:
    """A node with only what SPEC promises (`_prev`, `_backward`, `grad`) and its number."""

    __slots__ = ("_backward", "_prev", "grad", "index")

    def __init__(self, index: int) -> None:
        self.index, self.grad = index, 0.0
        self._prev: tuple[Node, ...] | set[Node] = ()
        self._backward: Callable[[], None] = _nothing


def _nothing() -> None:
    pass


def _propagate(node: Node, edges: list[tuple[Node, float]]) -> None:
    for source, local in edges:
        source.grad += local * node.grad


# ---------------------------------------------------------------------------------------------
# Graphs as data. A Sketch records nodes in the order they are built (each after its inputs),
# then numbers them at random for the case, so the numbering reveals nothing.


class Sketch:
    """A graph under construction: `node((input, local derivative), ...)` returns the new node's number."""

    def __init__(self) -> None:
        self.edges: list[tuple[int, int, float]] = []
        self.count = 0

    def node(self, *inputs: tuple[int, float]) -> int:
        index = self.count
        self.count += 1
        self.edges += [(index, source, float(local)) for source, local in inputs]
        return index

    def case(self, seed: int, as_set: bool = False) -> Inputs:
        """The case: nodes renumbered by a permutation drawn from `seed`; the last node built is the root."""
        label = np.random.default_rng(seed).permutation(self.count).tolist()
        edges = [[label[v], label[u], w] for v, u, w in self.edges]
        return {"n": self.count, "root": label[self.count - 1], "edges": edges, "set": as_set}


def size(inputs: Inputs) -> int:
    """How many nodes a case's graph has, the deep chain's included (without building either)."""
    return int(inputs["chain"]) + 1 if "chain" in inputs else int(inputs["n"])


def chain(inputs: Inputs) -> tuple[int, list[int]]:
    """A deep chain's size and its numbering: node `order[i]` uses `order[i - 1]` and `order[0]`."""
    n = size(inputs)
    return n, np.random.default_rng(inputs["seed"]).permutation(n).tolist()


def graph(inputs: Inputs) -> tuple[int, int, Edges]:
    """(number of nodes, root, edges) of any case, the deep chain included."""
    if "chain" in inputs:
        n, order = chain(inputs)
        edges = [(order[i], u, 1.0) for i in range(1, n) for u in (order[i - 1], order[0])]
        return n, order[-1], edges
    return inputs["n"], inputs["root"], [(int(v), int(u), float(w)) for v, u, w in inputs["edges"]]


def build(inputs: Inputs) -> tuple[list[Node], Node]:
    """Bare nodes for the case's graph, `_prev` as tuples or (with `set`) sets, and the root."""
    if "chain" in inputs:
        return _build_chain(inputs)
    n, root, edges = graph(inputs)
    nodes = [Node(i) for i in range(n)]
    prev: list[list[Node]] = [[] for _ in range(n)]
    weighted: list[list[tuple[Node, float]]] = [[] for _ in range(n)]
    for v, u, w in edges:
        if nodes[u] not in prev[v]:
            prev[v].append(nodes[u])
        weighted[v].append((nodes[u], w))
    for node, inputs_of, edges_of in zip(nodes, prev, weighted, strict=True):
        node._prev = set(inputs_of) if inputs.get("set") else tuple(inputs_of)
        if edges_of:
            node._backward = partial(_propagate, node, edges_of)
    return nodes, nodes[root]


def _build_chain(inputs: Inputs) -> tuple[list[Node], Node]:
    """The deep chain, built directly: it is too large for the general path's bookkeeping."""
    n, order = chain(inputs)
    nodes = [Node(i) for i in range(n)]
    first = nodes[order[0]]
    for previous, current in zip(order, order[1:], strict=False):
        nodes[current]._prev = (nodes[previous], first)
    return nodes, nodes[order[-1]]


def inputs_of(inputs: Inputs) -> tuple[int, list[set[int]]]:
    """The root and each node's inputs, as numbers."""
    n, root, edges = graph(inputs)
    prev: list[set[int]] = [set() for _ in range(n)]
    for v, u, _ in edges:
        prev[v].add(u)
    return root, prev


def reachable(root: int, prev: Sequence[set[int]]) -> set[int]:
    """Numbers of the nodes the root depends on, and of the root."""
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


def _before_input(prev: Sequence[set[int]], sequence: Sequence[int]) -> tuple[int, int] | None:
    """(node, input) of the first node that comes before one of its inputs in `sequence`."""
    position = {node: k for k, node in enumerate(sequence)}
    for k, node in enumerate(sequence):
        late = sorted(i for i in prev[node] if position.get(i, -1) > k)
        if late:
            return node, late[0]
    return None


def _missing(root: int, prev: Sequence[set[int]], sequence: Iterable[int], what: str) -> str | None:
    """Which nodes reachable from the root `sequence` lacks, if any."""
    expected = reachable(root, prev)
    missing = sorted(expected - set(sequence))
    if missing:
        count = f"{len(missing)} of the {len(expected)} nodes reachable from the root"
        return f"{count} {what} (e.g. node {missing[0]})"
    return None


def _indices(nodes: list[Node], sequence: Any, what: str) -> np.ndarray:
    """The submission's sequence of nodes as the numbers of the probe's nodes."""
    try:
        items = list(sequence)
    except TypeError:
        raise ProbeError(f"{what} should return a list of nodes, got a {type(sequence).__name__}") from None
    found = np.fromiter(
        (getattr(item, "index", -1) if type(item) is Node else -1 for item in items), np.int64
    )
    bad = np.flatnonzero(found < 0)
    if bad.size or not all(nodes[i] is item for i, item in zip(found.tolist(), items, strict=True)):
        item = items[int(bad[0])] if bad.size else None
        raise ProbeError(f"{what} returned a {type(item).__name__} that is not a node of the graph")
    return found


def _collector_paused(probe: Callable[[Any, Inputs], Any]) -> Callable[[Any, Inputs], Any]:
    """`probe` with Python's cycle collector off until its graph is freed.

    The collector would rescan a 100,000-node graph many times while it is built; the nodes
    themselves hold no cycles.
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


def _sequence(inputs: Inputs) -> Array:
    """A sequence of node numbers: whole numbers, one dimension, at most a few times the graph's size."""
    return Array(ndim=1, whole=True, max_elements=4 * size(inputs) + 16)


# ---------------------------------------------------------------------------------------------
# The graphs of the cases.


def _diamond_ladder(rungs: int) -> Sketch:
    """Diamonds stacked on each other: every node is reached along many paths."""
    g = Sketch()
    top = g.node()
    for _ in range(rungs):
        left, right = g.node((top, 1.0)), g.node((top, 1.0))
        top = g.node((left, 1.0), (right, 1.0))
    return g


def _random_dag(rng: np.random.Generator, n: int) -> Sketch:
    """Three leaves, then nodes using one to three of the five before them (repeats allowed), with
    random local derivatives; some nodes stay unreachable from the root (the last node)."""
    g = Sketch()
    for i in range(n):
        sources = rng.integers(max(0, i - 5), i, size=int(rng.integers(1, 4))).tolist() if i >= 3 else []
        g.node(*((int(u), float(rng.uniform(-2.0, 2.0))) for u in sources))
    return g


def _sketch(*nodes: Sequence[tuple[int, float]]) -> Sketch:
    """A graph given node by node, each as its (input, local derivative) pairs."""
    g = Sketch()
    for inputs in nodes:
        g.node(*inputs)
    return g


_rng = np.random.default_rng(1300)
GRAPHS: dict[str, Inputs] = {
    "a chain": _sketch((), [(0, 2.0)], [(1, -1.5)], [(2, 0.5)], [(3, 3.0)]).case(2),
    "a diamond": _sketch((), [(0, 2.0)], [(0, -1.0)], [(1, 1.5), (2, 0.5)]).case(3),
    "a node reached along many paths": _sketch(
        (), [(0, 1.0), (0, 2.0)], [(0, 3.0)], [(1, 1.0), (2, -1.0), (1, 0.5)]
    ).case(4),
    # A walk that marks nodes as visited when it pushes them lists node 2 before node 1 in
    # one of these two (which one depends on the order in which it pushes the inputs).
    "a shortcut: the root uses a node directly and through another": _sketch(
        (), [(0, 2.0)], [(1, 3.0)], [(1, 0.5), (2, -1.0)]
    ).case(5),
    "the same shortcut, inputs the other way round": _sketch(
        (), [(0, 2.0)], [(1, 3.0)], [(2, -1.0), (1, 0.5)]
    ).case(6),
    "stacked diamonds": _diamond_ladder(4).case(7),
    "a random graph": _random_dag(_rng, 12).case(8),
    "a random graph whose _prev are sets": _random_dag(_rng, 12).case(9, as_set=True),
}  # fmt: skip


def _random_graphs(rng: np.random.Generator) -> Inputs:
    """A random graph for a hidden check: drawn from the rubric's seed, never from this file."""
    return _random_dag(rng, int(rng.integers(10, 18))).case(
        int(rng.integers(2**31)), as_set=bool(rng.integers(2))
    )


# Expressions of exercise 12 as graphs, with their local derivatives at the point given.
X, A = 1.5, 4.5  # x, and a = 3x
NEURON_AT = {"x1": 2.0, "w1": -3.0, "x2": 0.5, "w2": 1.0, "b": 6.3}
_N = NEURON_AT
_T = float(np.tanh(_N["x1"] * _N["w1"] + _N["x2"] * _N["w2"] + _N["b"]))
EXPRESSIONS: dict[str, Inputs] = {
    "a * a with a = 3x (a node used twice)": _sketch((), [(0, 3.0)], [(1, A), (1, A)]).case(11),
    "x * x": _sketch((), [(0, X), (0, X)]).case(12),
    "x + x": _sketch((), [(0, 1.0), (0, 1.0)]).case(13),
    "diamond (x * 2) * (x + 1)": _sketch((), [(0, 2.0)], [(0, 1.0)], [(1, X + 1), (2, 2 * X)]).case(14),
    "non-leaf fan-out (b = 3x; b * b + b)": _sketch(
        (), [(0, 3.0)], [(1, A), (1, A)], [(2, 1.0), (1, 1.0)]
    ).case(15),
    "non-leaf fan-out (b = 3x; b + b * b)": _sketch(
        (), [(0, 3.0)], [(1, A), (1, A)], [(1, 1.0), (2, 1.0)]
    ).case(16),
    "neuron tanh(x1*w1 + x2*w2 + b)": _sketch(
        (), (), (), (), (),  # x1, w1, x2, w2, b
        [(0, _N["w1"]), (1, _N["x1"])], [(2, _N["w2"]), (3, _N["x2"])],  # x1*w1, x2*w2
        [(5, 1.0), (6, 1.0)], [(7, 1.0), (4, 1.0)],  # sums
        [(8, 1 - _T * _T)],  # tanh
    ).case(17),
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# topological_order


def _order_verdict(inputs: Inputs, observed: np.ndarray, expected: Any) -> Verdict:
    """Every reachable node exactly once, each after its inputs (so the root comes last)."""
    root, prev = inputs_of(inputs)
    order = observed.astype(np.int64).tolist()
    if any(not 0 <= i < len(prev) for i in order):
        return Verdict(False, "the order holds numbers that are no node of the graph")
    repeat = _repeated(order)
    if repeat:
        node, count = repeat
        return Verdict(
            False, f"node {node} is listed {count} times; list every node exactly once", DUPLICATES
        )
    missing = _missing(root, prev, order, "are missing")
    if missing:
        return Verdict(False, missing)
    if set(order) - reachable(root, prev):
        return Verdict(False, "the order lists nodes that the root does not depend on")
    early = _before_input(prev, order)
    if early and order[0] == root:
        return Verdict(False, "the order is reversed: the root comes first, but it must come last")
    if early:
        return Verdict(False, f"node {early[0]} is listed before its input node {early[1]}")
    return Verdict(True)


@_collector_paused
def _order(module: Any, inputs: Inputs) -> np.ndarray:
    nodes, root = build(inputs)
    return _indices(nodes, module.topological_order(root), "topological_order")


RECURSIVE_ORDER = recursion_verdict("topological_order(root)")


def _order_probe(cases: Callable[[int, int], list[Any]], judge: Any = _order_verdict) -> Any:
    return prop(("topological_order",), cases, judge, _sequence, raises=RECURSIVE_ORDER)(_order)


topological_order = _order_probe(fixed(GRAPHS))
topological_order_random = _order_probe(seeded(_random_graphs))


def _chain_verdict(inputs: Inputs, observed: np.ndarray, expected: Any) -> Verdict:
    """A chain has a single topological order: recognise it at once, else say what is wrong."""
    if np.array_equal(observed, chain(inputs)[1]):
        return Verdict(True)
    return _order_verdict(inputs, observed, expected)


deep_chain = _order_probe(
    fixed({f"a chain {DEPTH:,} nodes deep": {"chain": DEPTH, "seed": 13}}), _chain_verdict
)


# ---------------------------------------------------------------------------------------------
# backward


def _backward_verdict(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    """Every node's grad as the correct backward pass leaves it; the call log says what went wrong."""
    grads = observed["grads"]
    if expected is None:  # no correct values here: judge the schedule alone
        return _schedule(inputs, observed) or Verdict(True)
    want = np.asarray(expected["grads"])  # one per node, as the answer's structure requires of `grads`
    wrong_nodes = ~np.isclose(grads, want, rtol=1e-9, atol=1e-12)
    if not wrong_nodes.any():
        return Verdict(True)
    explained = _schedule(inputs, observed)
    if explained is not None:
        return explained
    wrong = _first_wrong(inputs, wrong_nodes)
    return Verdict(
        False,
        f"the first wrong grad going back from the root is at node {wrong} (expected "
        f"{float(want[wrong]):.6g}, got {grads[wrong]:.6g}); everything upstream of it inherits the error",
    )


def _first_wrong(inputs: Inputs, wrong: np.ndarray) -> int:
    """The wrong node that a backward pass from the root completes first (where the error starts);
    the lowest-numbered one when only nodes the root does not depend on are wrong."""
    _, root, edges = graph(inputs)
    order = backward_order(((u, v) for v, u, _ in edges), root)
    return next((node for node in order if wrong[node]), int(np.argmax(wrong)))


def _schedule(inputs: Inputs, observed: dict[str, Any]) -> Verdict | None:
    """What is wrong with the order of the `_backward` calls, if anything: root.grad, repeats, gaps, order."""
    root, prev = inputs_of(inputs)
    calls = [(int(node), float(grad)) for node, grad in observed["calls"]]
    order = [node for node, _ in calls]
    if any(not 0 <= node < len(prev) for node in order):
        return Verdict(False, "the calls name nodes that are not in the graph")
    if not order:
        return Verdict(
            False,
            "no node's _backward was called: backward never got from the root to the leaves "
            "(is the order it walks empty?)",
            UNREACHED,
        )
    root_grad = next((grad for node, grad in calls if node == root), observed["root_grad"])
    if root_grad != 1.0:
        return Verdict(False, f"root.grad was {root_grad:g} when the root's _backward ran, instead of 1.0")
    repeat = _repeated(order)
    if repeat:
        node, count = repeat
        return Verdict(
            False,
            f"node {node}'s _backward was called {count} times; call each node's _backward exactly once",
            DUPLICATES,
        )  # fmt: skip
    missing = _missing(root, prev, order, "never had their _backward called")
    if missing:
        return Verdict(False, missing)
    early = _before_input(prev, order[::-1])
    if early is None:
        return None
    node, used = early
    message = f"node {used}'s _backward ran before that of node {node}, which uses it"
    if _before_input(prev, order) is None:
        return Verdict(False, f"the calls run in topological order, inputs first: {message}", FORWARD)
    return Verdict(False, message)


def _log(calls: list[tuple[int, float]], node: Node, propagate: Callable[[], None]) -> None:
    calls.append((node.index, node.grad))
    propagate()


def _backward_answer(inputs: Inputs) -> Record:
    n = size(inputs)
    calls = Items(Array(ndim=1, size=2), 4 * n + 16)
    return Record({"grads": Array(ndim=1, size=n), "calls": calls, "root_grad": Number()})


def _run_backward(module: Any, inputs: Inputs) -> dict[str, Any]:
    """The grads after `backward(root)`, and each `_backward` call with the node's grad at the time."""
    nodes, root = build(inputs)
    calls: list[tuple[int, float]] = []
    for node in nodes:
        node._backward = partial(_log, calls, node, node._backward)
    module.backward(root)
    return {
        "grads": np.array([as_float(node.grad, f"node {node.index}'s grad") for node in nodes]),
        "calls": [[index, as_float(grad, f"node {index}'s grad")] for index, grad in calls],
        "root_grad": as_float(root.grad, "root.grad"),
    }


def _backward_probe(cases: Callable[[int, int], list[Any]]) -> Any:
    return prop(("backward",), cases, _backward_verdict, _backward_answer, truth=True)(_run_backward)


backward_calls = _backward_probe(fixed(GRAPHS))
backward_expressions = _backward_probe(fixed(EXPRESSIONS))
