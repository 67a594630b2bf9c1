"""Exercise 13 reference: topological order and backward on the grader's own kind of node.

Gradients are checked on exercise 12's expressions (the probes' tables), on bare nodes and on
`Value` graphs, against the values derived by hand and against `Value.backward`.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from grader.probes.exercise12 import ACCUMULATION
from reference.exercise12 import Value
from reference.exercise13 import backward, topological_order
from tests.reference.numeric import assert_close
from tests.reference.test_exercise12 import ACCUMULATED, CASES


class Node:
    """A bare node as the grader builds them: `_prev`, `_backward`, `grad`, and `+` and `*`
    (whose nodes leave the backward pass to `backward`)."""

    def __init__(self, data: float = 0.0, prev=(), kind=tuple):
        self.data, self.grad, self._prev = data, 0.0, kind(prev)
        self._backward = lambda: None

    def __repr__(self) -> str:
        return f"Node(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        return self._combine(other, lambda a, b: (a + b, 1.0, 1.0))

    def __mul__(self, other):
        return self._combine(other, lambda a, b: (a * b, b, a))

    def _combine(self, other, rule):
        """The node of an operation on self and other (a number is a leaf); `rule(a, b)` gives its
        data and its local derivatives with respect to a and b."""
        other = other if isinstance(other, Node) else Node(other)
        data, d_self, d_other = rule(self.data, other.data)
        out = type(self)(data, (self, other))

        def _backward():
            self.grad += d_self * out.grad
            other.grad += d_other * out.grad

        out._backward = _backward
        return out


class UnhashableNode(Node):
    """Defining __eq__ without __hash__ makes instances unhashable, like a default dataclass."""

    def __eq__(self, other):
        return isinstance(other, Node) and self.data == other.data

    __hash__ = None  # type: ignore[assignment]


def reachable(root) -> dict[int, object]:
    """Nodes behind root by id, found by a breadth-first search independent of the reference."""
    found, frontier = {id(root): root}, [root]
    while frontier:
        frontier = [p for n in frontier for p in n._prev if id(p) not in found]
        found.update((id(p), p) for p in frontier)
    return found


def assert_topological(order: list, root) -> None:
    """Every reachable node exactly once, each after its `_prev`, root last."""
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node is listed twice"
    assert position.keys() == reachable(root).keys(), "missing or unreachable nodes"
    assert order[-1] is root
    for node in order:
        for p in node._prev:
            assert position[id(p)] < position[id(node)], f"{node!r} listed before its input {p!r}"


def random_dag(rng: np.random.Generator, n: int, node_type=Node, kind=tuple):
    """n nodes, each using up to three earlier ones; some early nodes stay unreachable."""
    nodes = [node_type(float(i)) for i in range(n)]
    for i in range(3, n):
        picks = rng.choice(i, size=min(i, int(rng.integers(0, 4))), replace=False)
        nodes[i]._prev = kind(nodes[j] for j in picks)
    return nodes


@pytest.mark.parametrize("kind", [tuple, set], ids=["tuple_prev", "set_prev"])
def test_order_on_random_dags(kind):
    rng = np.random.default_rng(13)
    for _ in range(30):
        nodes = random_dag(rng, int(rng.integers(1, 60)), kind=kind)
        assert_topological(topological_order(nodes[-1]), nodes[-1])


def test_unhashable_nodes_are_fine():
    rng = np.random.default_rng(1)
    nodes = random_dag(rng, 50, node_type=UnhashableNode)
    nodes.append(UnhashableNode(0.0, (nodes[-1], nodes[0], UnhashableNode(0.0))))  # equal data
    assert_topological(topological_order(nodes[-1]), nodes[-1])


def test_a_single_node():
    root = Node(1.0)
    assert topological_order(root) == [root]


def test_a_node_reached_along_many_paths_is_listed_once():
    a = Node(1.0)
    b, c = Node(2.0, (a, a)), Node(3.0, (a,))
    root = Node(4.0, (b, c, b))
    order = topological_order(root)
    assert order[0] is a and order[-1] is root and len(order) == 4


def test_chain_100000_deep():
    assert sys.getrecursionlimit() < 100_000  # a recursive search would fail
    chain = [Node(0.0)]
    for _ in range(100_000):
        chain.append(Node(0.0, (chain[-1], chain[0])))  # every node also fans out to the leaf
    order = topological_order(chain[-1])
    assert len(order) == len(chain)
    assert all(got is want for got, want in zip(order, chain, strict=True))  # a chain has one order


@pytest.mark.parametrize("name", ACCUMULATED)
def test_backward_accumulates_over_every_path(name):
    expression = ACCUMULATION[name]
    leaves = [Node(x) for x in expression.at.values()]
    root = expression.build(*leaves)
    backward(root)
    assert root.grad == 1.0
    assert [leaf.grad for leaf in leaves] == [ACCUMULATED[name]]


def test_backward_runs_each_node_once_after_all_its_consumers():
    rng = np.random.default_rng(7)
    nodes = random_dag(rng, 80)
    calls: list[Node] = []
    for node in nodes:
        node._backward = lambda node=node: calls.append(node)
    backward(nodes[-1])
    assert calls[0] is nodes[-1] and nodes[-1].grad == 1.0
    assert_topological(calls[::-1], nodes[-1])


def test_backward_on_a_chain_100000_deep():
    x = Node(0.5)
    y = x
    for _ in range(100_000):
        y = y + x
    backward(y)
    assert x.grad == 100_001.0


@pytest.mark.parametrize("name", CASES)
def test_backward_agrees_with_value_backward(name):
    expression, grads = CASES[name], []
    for run in (Value.backward, backward):
        leaves = [Value(float(x)) for x in expression.at.values()]
        run(expression.build(*leaves))
        grads.append([leaf.grad for leaf in leaves])
    assert_close(grads[1], grads[0], what=f"{name}: exercise 13 vs Value.backward")
