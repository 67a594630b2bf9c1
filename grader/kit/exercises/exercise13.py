"""Exercise 13 — topological order and the backward pass.

A backward pass may call a node's `_backward` only once every node that uses it
has called its own: by then the node's `grad` holds the sum over all paths to the
root, and its `_backward` can pass it on to the node's inputs. Listing the graph
so that each node comes after its inputs (a topological order) and walking that
list backwards gives exactly this schedule.

A node is any object with
- `_prev`: the nodes it was computed from (a set or a tuple, possibly empty),
- `_backward`: a zero-argument callable that adds the node's contribution to the
  `grad` of each node in `_prev`,
- `grad`: its gradient so far.

Implement
1. `topological_order(root) -> list`: every node reachable from `root` through
   `_prev`, exactly once, each after all the nodes in its `_prev`; `root` last.
2. `backward(root)`: set `root.grad = 1.0`, then call `node._backward()` for every
   node in reverse topological order.

Pitfalls:
- Each node exactly once. In a diamond (b = 2*a, c = a + 1, d = b*c) the node `a`
  is reached twice; listing it twice would add its gradient twice.
- No recursion. The textbook recursive depth-first search overflows Python's
  recursion limit (about 1000) on a chain of 100,000 nodes. Keep your own stack:
  push a node, push its inputs on top, and append the node to the order only when
  you come back to it after all its inputs are done.
"""

from __future__ import annotations

from typing import Any


def topological_order(root: Any) -> list:
    """All nodes reachable from root, each after its `_prev`, root last."""
    raise NotImplementedError("topological_order: your code here")


def backward(root: Any) -> None:
    """Set root.grad to 1.0 and run every node's `_backward`, root first."""
    raise NotImplementedError("backward: your code here")


# When you are done, check your work with:  grade exercise13.py
