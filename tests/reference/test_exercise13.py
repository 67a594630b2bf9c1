"""Exercise 13 reference: topological order and backward on the grader's own kind of node."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from reference.exercise12 import Value
from reference.exercise13 import backward, topological_order
from tests.reference.numeric import assert_close


class Node:
    """A bare node as the grader builds them: `_prev`, `_backward`, `grad` and nothing else."""

    def __init__(self, data: float = 0.0, prev=(), kind=tuple):
        self.data, self.grad, self._prev = data, 0.0, kind(prev)
        self._backward = lambda: None

    def __repr__(self) -> str:
        return f"Node(data={self.data}, grad={self.grad})"


class UnhashableNode(Node):
    """Defining __eq__ without __hash__ makes instances unhashable, like a default dataclass."""

    def __eq__(self, other):
        return isinstance(other, Node) and self.data == other.data

    __hash__ = None  # type: ignore[assignment]


def add(a: Node, b: Node) -> Node:
    out = type(a)(a.data + b.data, (a, b))

    def _backward():
        a.grad += out.grad
        b.grad += out.grad

    out._backward = _backward
    return out


def mul(a: Node, b: Node) -> Node:
    out = type(a)(a.data * b.data, (a, b))

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


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


@pytest.mark.parametrize(
    ("build", "x", "expected"),
    [
        (lambda a: mul(a, a), 3.0, 6.0),
        (lambda a: add(a, a), 3.0, 2.0),
        (lambda a: mul(mul(a, Node(2.0)), add(a, Node(1.0))), 3.0, 14.0),  # 4a + 2
        (lambda a: (lambda b: add(mul(b, b), b))(mul(a, Node(3.0))), 2.0, 39.0),  # (2b + 1) * 3
    ],
    ids=["x*x", "x+x", "diamond", "non_leaf_fan_out"],
)
def test_backward_accumulates_over_every_path(build, x, expected):
    a = Node(x)
    root = build(a)
    backward(root)
    assert root.grad == 1.0
    assert a.grad == expected


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
        y = add(y, x)
    backward(y)
    assert x.grad == 100_001.0


def test_backward_agrees_with_value_backward():
    def build():
        a, b = Value(1.5), Value(-0.7)
        c = a * b + a.tanh()
        return a, b, (c * c + b.exp() - a / b).relu()

    a1, b1, out1 = build()
    out1.backward()
    a2, b2, out2 = build()
    backward(out2)
    assert_close([a2.grad, b2.grad], [a1.grad, b1.grad], what="exercise 13 vs Value.backward")
