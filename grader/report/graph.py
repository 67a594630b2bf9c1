"""A computation graph (e.g. L = (a·b + c)²) laid out with each node's value, operation and gradients.

Input is plain data a check puts in `CheckResult.details["graph"]`:

    {"nodes": [{"id": "a", "label": "a", "value": 2.0, "op": "*"}, ...],   # "value", "op" optional
     "edges": [["a", "ab"], ...],       # operand -> result; a value used twice (x*x) is listed twice
     "expected": {"a": -24.0, ...},     # d(root)/d(node), from the reference
     "got": {"a": -12.0, ...}}          # the submission's grads; a missing id: none

The node where the error starts (the first wrong gradient going back from the root, as the
check reported it, or found here) is marked; the wrong nodes further from the root only
inherit its error and are drawn faded, so the graph shows where to look. A value used
twice gets two edges: that double use is what a gradient assigned instead of accumulated
gets wrong. Each graph is laid out twice: left to right for wide screens, top to bottom
for a phone (the page shows one of the two).
Anything malformed yields no graph rather than a broken report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.report.arrays import number, relative_error

#: A received gradient within this relative error of the expected one is right.
MATCH = 1e-5
NODE_WIDTH, NODE_HEIGHT = 150, 86
MARGIN = 8
#: Gaps between nodes: along the flow (wide between columns, so edges have room) and across it.
WIDE_GAPS = (50, 20)
TALL_GAPS = (34, 14)
#: How far apart the two edges of a value used twice run.
DOUBLE_OFFSET = 9


@dataclass(frozen=True)
class NodeBox:
    x: float
    y: float
    label: str
    op: str | None
    value: str | None
    expected: str
    got: str
    #: "ok", "first" (where the error starts), "knock-on" (inherits it) or "missing".
    verdict: str


@dataclass(frozen=True)
class Edge:
    path: str
    #: Which use of the operand this edge is, when the result uses it more than once (1, 2, …).
    use: int = 0


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: list[NodeBox]
    edges: list[Edge]


@dataclass(frozen=True)
class GraphView:
    node_width: int
    node_height: int
    wide: Layout
    tall: Layout
    #: The label of the node where the error starts, if any gradient is wrong.
    first: str | None
    #: Labels of the wrong nodes that only inherit the first one's error.
    knock_ons: list[str]
    #: Labels of the values used more than once by one operation (x*x).
    reused: list[str]

    @property
    def wrong(self) -> list[str]:
        return [node.label for node in self.wide.nodes if node.verdict != "ok"]


def graph_view(data: Any, first_wrong: Any = None) -> GraphView | None:
    """The laid-out graph, or None when `data` does not follow the format above; `first_wrong` is
    the node id the check reported as where the error starts."""
    try:
        nodes = {str(n["id"]): n for n in data["nodes"]}
        edges = [(str(a), str(b)) for a, b in data["edges"]]
        depth = _depths(list(nodes), edges)
        verdicts = _verdicts(nodes, edges, data["expected"], data["got"], first_wrong)
        boxes = {
            ident: _box(node, data["expected"][ident], data["got"].get(ident), verdicts[ident])
            for ident, node in nodes.items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    labels = {ident: box.label for ident, box in boxes.items()}
    first = next((labels[i] for i, v in verdicts.items() if v == "first"), None)
    return GraphView(
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        wide=_layout(boxes, edges, depth, tall=False),
        tall=_layout(boxes, edges, depth, tall=True),
        first=first,
        knock_ons=[labels[i] for i, v in verdicts.items() if v == "knock-on"],
        reused=sorted({labels[a] for (a, _), uses in Counter(edges).items() if uses > 1}),
    )


def _depths(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each node's column: longest path from an input (Kahn's order); ValueError on a cycle or unknown id."""
    known = set(ids)
    if any(a not in known or b not in known for a, b in edges):
        raise ValueError("edge to an unknown node")
    indegree = dict.fromkeys(ids, 0)
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


def _verdicts(
    nodes: Mapping[str, Any],
    edges: list[tuple[str, str]],
    expected: Mapping[str, Any],
    got: Mapping[str, Any],
    first_wrong: Any,
) -> dict[str, str]:
    """Each node's verdict; the first wrong one is the check's, else the wrong one nearest the root."""
    wrong = [ident for ident in nodes if not _right(expected[ident], got.get(ident))]
    if first_wrong not in wrong:
        first_wrong = min(wrong, key=_from_root(list(nodes), edges).__getitem__, default=None)
    verdicts = dict.fromkeys(nodes, "ok")
    for ident in wrong:
        verdicts[ident] = "first" if ident == first_wrong else "knock-on"
        if _scalar(got.get(ident)) is None:
            verdicts[ident] = "missing"
    return verdicts


def _from_root(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each node's distance from the graph's outputs, going backwards along the edges."""
    consumers: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in edges:
        consumers[a].append(b)
    distance: dict[str, int] = {}

    def walk(node: str) -> int:
        if node not in distance:
            distance[node] = min((walk(b) + 1 for b in consumers[node]), default=0)
        return distance[node]

    for ident in ids:
        walk(ident)
    return distance


def _scalar(x: Any) -> float | None:
    """A received gradient as a number: a float, or a 0-d array as answers arrive; None otherwise."""
    if x is None or isinstance(x, bool | str | bytes):
        return None
    try:
        value = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(value) if value.ndim == 0 else None


def _right(expected: Any, got: Any) -> bool:
    value = _scalar(got)
    return (
        value is not None and float(relative_error(np.float64(float(expected)), np.float64(value))) <= MATCH
    )


def _box(node: Mapping[str, Any], expected: Any, got: Any, verdict: str) -> NodeBox:
    value, op, received = node.get("value"), node.get("op"), _scalar(got)
    return NodeBox(
        x=0.0,
        y=0.0,
        label=str(node["label"]),
        op=None if op is None else str(op),
        value=None if value is None else number(float(value)),
        expected=number(float(expected)),
        got="—" if received is None else number(received),
        verdict=verdict,
    )


def _layout(
    boxes: Mapping[str, NodeBox], edges: list[tuple[str, str]], depth: dict[str, int], tall: bool
) -> Layout:
    """Columns by depth (rows, when `tall`), each centred across the flow."""
    along_gap, across_gap = TALL_GAPS if tall else WIDE_GAPS
    along_size, across_size = (NODE_HEIGHT, NODE_WIDTH) if tall else (NODE_WIDTH, NODE_HEIGHT)
    ranks: dict[int, list[str]] = {}
    for ident in boxes:
        ranks.setdefault(depth[ident], []).append(ident)
    widest = max(len(members) for members in ranks.values())
    across = 2 * MARGIN + widest * across_size + (widest - 1) * across_gap
    along = 2 * MARGIN + len(ranks) * along_size + (len(ranks) - 1) * along_gap
    place: dict[str, tuple[float, float]] = {}
    for rank, members in ranks.items():
        span = len(members) * across_size + (len(members) - 1) * across_gap
        start = (across - span) / 2
        for k, ident in enumerate(members):
            a, c = MARGIN + rank * (along_size + along_gap), start + k * (across_size + across_gap)
            place[ident] = (c, a) if tall else (a, c)
    nodes = [_placed(boxes[ident], place[ident]) for ident in boxes]
    seen: Counter[tuple[str, str]] = Counter()
    uses = Counter(edges)
    drawn = []
    for edge in edges:
        seen[edge] += 1
        use = seen[edge] if uses[edge] > 1 else 0
        shift = 0.0 if not use else DOUBLE_OFFSET * (2 * use - uses[edge] - 1) / max(1, uses[edge] - 1)
        drawn.append(Edge(_path(place[edge[0]], place[edge[1]], tall, shift), use))
    return Layout(across if tall else along, along if tall else across, nodes, drawn)


def _placed(box: NodeBox, at: tuple[float, float]) -> NodeBox:
    return NodeBox(at[0], at[1], box.label, box.op, box.value, box.expected, box.got, box.verdict)


def _path(start: tuple[float, float], end: tuple[float, float], tall: bool, shift: float) -> str:
    """A curve from the operand to its result, `shift` px aside (the second use of a value)."""
    if tall:
        x1, y1 = start[0] + NODE_WIDTH / 2 + shift, start[1] + NODE_HEIGHT
        x2, y2 = end[0] + NODE_WIDTH / 2 + shift, end[1]
        bend = (y2 - y1) / 2
        return f"M {x1:g} {y1:g} C {x1:g} {y1 + bend:g}, {x2:g} {y2 - bend:g}, {x2:g} {y2 - 6:g}"
    x1, y1 = start[0] + NODE_WIDTH, start[1] + NODE_HEIGHT / 2 + shift
    x2, y2 = end[0], end[1] + NODE_HEIGHT / 2 + shift
    bend = (x2 - x1) / 2
    return f"M {x1:g} {y1:g} C {x1 + bend:g} {y1:g}, {x2 - bend:g} {y2:g}, {x2 - 6:g} {y2:g}"
