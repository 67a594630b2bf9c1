"""Exercise 18 — gradient checkpointing: trade compute for memory.

Plain backprop through L blocks keeps every block's cache (the activations its
backward needs) from the forward pass until the backward pass reaches it: memory
grows like L. Checkpointing keeps less and recomputes the rest.

A block is any object with

    forward(x) -> (y, cache)
    backward(dy, cache) -> dx        (also accumulates the block's own parameter grads)

``Linear`` and ``Tanh`` below are two such blocks, and ``sequential_forward`` /
``sequential_backward`` are plain backprop through a list of them, for comparison.

Implement ``checkpoint_sequential(blocks, x, segments) -> (y, backward)``:

- Split the L blocks into ``segments`` contiguous segments whose sizes differ by
  at most one (L = 10, S = 3 gives sizes 3, 3, 4 in some order, never 3, 3, 3, 1).
- Forward: run every block, but keep only the input of each segment (its
  checkpoint) and drop every cache as soon as the block returns it.
- ``backward(dy) -> dx``: for the last segment first, recompute its caches by
  running its blocks forward again from its checkpoint, backpropagate dy through
  them in reverse, and let go of them before moving on to the previous segment.

At any moment at most S checkpoints and one segment's caches, ceil(L/S), are
alive: 2·sqrt(L) for S = sqrt(L), instead of L. The price is one extra forward
per block. The gradients (dx and every parameter grad) equal plain backprop.
Pitfall: holding on to the caches of the forward pass (in a list, or in a
variable that outlives the loop) silently gives the memory back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np


class Linear:
    """y = x @ W + b, with W of shape (d_in, d_out); accumulates dW and db."""

    def __init__(self, d_in: int, d_out: int, rng: np.random.Generator):
        self.W = rng.standard_normal((d_in, d_out)) / np.sqrt(d_in)
        self.b = np.zeros(d_out)
        self.zero_grad()

    def zero_grad(self) -> None:
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x @ self.W + self.b, x

    def backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        self.dW += x.T @ dy
        self.db += dy.sum(axis=0)
        return dy @ self.W.T

    def __repr__(self) -> str:
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]})"


class Tanh:
    """y = tanh(x); the cache is y itself since dy/dx = 1 - y**2."""

    def zero_grad(self) -> None:
        pass  # no parameters

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.tanh(x)
        return y, y

    def backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (1.0 - y**2)

    def __repr__(self) -> str:
        return "Tanh()"


def sequential_forward(blocks: Sequence, x: np.ndarray) -> tuple[np.ndarray, list]:
    """Plain forward pass: returns y and all L caches."""
    caches = []
    for block in blocks:
        x, cache = block.forward(x)
        caches.append(cache)
    return x, caches


def sequential_backward(blocks: Sequence, caches: list, dy: np.ndarray) -> np.ndarray:
    """Plain backward pass through the caches of ``sequential_forward``."""
    for block, cache in zip(reversed(blocks), reversed(caches), strict=True):
        dy = block.backward(dy, cache)
    return dy


def checkpoint_sequential(
    blocks: Sequence, x: np.ndarray, segments: int
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Forward through ``blocks`` keeping only segment inputs; return y and backward(dy) -> dx."""
    raise NotImplementedError("checkpoint_sequential: your code here")


# When you are done, check your work with:  grade exercise18.py
