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
    # BEGIN SOLUTION
    # Entries are (node, inputs_done): a node is listed on its second pop, when
    # everything pushed above it (its inputs and theirs) has been listed.
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in visited:  # ids, not nodes: nodes need not be hashable
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order
    # END SOLUTION


def backward(root: Any) -> None:
    """Set root.grad to 1.0 and run every node's `_backward`, root first."""
    # BEGIN SOLUTION
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()
    # END SOLUTION
