"""A computation graph (e.g. L = (a·b + c)²) laid out left to right with each node's gradients.

Input is plain data a check puts in `CheckResult.details["graph"]`:

    {"nodes": [{"id": "a", "label": "a", "value": 2.0}, ...],   # "value" (forward data) optional
     "edges": [["a", "ab"], ...],                                 # operand -> result
     "expected": {"a": -24.0, ...},                               # d(root)/d(node), from the reference
     "got": {"a": -12.0, ...}}                                    # the submission's grads; a missing id: none

Columns are a node's depth (longest path from an input), so the root ends up rightmost.
Anything malformed yields no graph rather than a broken report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.report.arrays import number, relative_error
from grader.report.heatmap import MATCH, colour

WIDTH, HEIGHT = 156, 74
GAP_X, GAP_Y, MARGIN = 56, 22, 8
MISSING_COLOUR = "#8c959f"


@dataclass(frozen=True)
class NodeBox:
    x: float
    y: float
    label: str
    value: str | None
    expected: str
    got: str
    #: "ok", "wrong" or "missing": how the node's received gradient compares.
    verdict: str
    colour: str


@dataclass(frozen=True)
class GraphView:
    width: float
    height: float
    node_width: int
    node_height: int
    nodes: list[NodeBox]
    #: SVG path data of each edge, from the operand's right side to the result's left side.
    edges: list[str]

    @property
    def wrong(self) -> list[str]:
        return [node.label for node in self.nodes if node.verdict != "ok"]


def graph_view(data: Any) -> GraphView | None:
    """The laid-out graph, or None when `data` does not follow the format above."""
    try:
        nodes = [(str(n["id"]), str(n["label"]), n.get("value")) for n in data["nodes"]]
        edges = [(str(a), str(b)) for a, b in data["edges"]]
        expected, got = data["expected"], data["got"]
        columns = _depths([ident for ident, _, _ in nodes], edges)
        return _layout(nodes, edges, columns, expected, got)
    except (KeyError, TypeError, ValueError):
        return None


def _depths(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each node's column: longest path from an input (Kahn's order); ValueError on a cycle or unknown id."""
    known = set(ids)
    if any(a not in known or b not in known for a, b in edges):
        raise ValueError("edge to an unknown node")
    indegree = {i: 0 for i in ids}
    for _, b in edges:
        indegree[b] += 1
    depth = dict.fromkeys(ids, 0)
    inputs = [i for i in ids if indegree[i] == 0]
    ready = list(inputs)
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for a, b in edges:
            if a == node:
                depth[b] = max(depth[b], depth[a] + 1)
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    if seen != len(ids):
        raise ValueError("the graph has a cycle")
    for a in inputs:  # an input sits just before its first consumer, so edges stay short
        consumers = [depth[b] for x, b in edges if x == a]
        if consumers:
            depth[a] = min(consumers) - 1
    return depth


def _layout(
    nodes: list[tuple[str, str, Any]],
    edges: list[tuple[str, str]],
    depth: dict[str, int],
    expected: Mapping[str, Any],
    got: Mapping[str, Any],
) -> GraphView:
    columns: dict[int, list[str]] = {}
    for ident, _, _ in nodes:
        columns.setdefault(depth[ident], []).append(ident)
    tallest = max(len(c) for c in columns.values())
    height = MARGIN * 2 + tallest * HEIGHT + (tallest - 1) * GAP_Y
    place: dict[str, tuple[float, float]] = {}
    for column, members in columns.items():
        span = len(members) * HEIGHT + (len(members) - 1) * GAP_Y
        top = (height - span) / 2
        for row, ident in enumerate(members):
            place[ident] = (MARGIN + column * (WIDTH + GAP_X), top + row * (HEIGHT + GAP_Y))
    boxes = [
        _box(label, value, place[ident], expected[ident], got.get(ident)) for ident, label, value in nodes
    ]
    return GraphView(
        width=MARGIN * 2 + (max(columns) + 1) * WIDTH + max(columns) * GAP_X,
        height=height,
        node_width=WIDTH,
        node_height=HEIGHT,
        nodes=boxes,
        edges=[_edge(place[a], place[b]) for a, b in edges],
    )


def _box(label: str, value: Any, at: tuple[float, float], expected: Any, got: Any) -> NodeBox:
    want = float(expected)
    shown = None if value is None else number(float(value))
    if got is None or not isinstance(got, int | float):
        return NodeBox(*at, label, shown, number(want), "—", "missing", MISSING_COLOUR)
    error = float(relative_error(np.float64(want), np.float64(got)))
    verdict = "ok" if error <= MATCH else "wrong"
    return NodeBox(*at, label, shown, number(want), number(float(got)), verdict, colour(error))


def _edge(start: tuple[float, float], end: tuple[float, float]) -> str:
    x1, y1 = start[0] + WIDTH, start[1] + HEIGHT / 2
    x2, y2 = end[0], end[1] + HEIGHT / 2
    bend = (x2 - x1) / 2
    return f"M {x1:g} {y1:g} C {x1 + bend:g} {y1:g}, {x2 - bend:g} {y2:g}, {x2 - 6:g} {y2:g}"
