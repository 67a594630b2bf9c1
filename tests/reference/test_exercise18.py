"""Reference exercise 18 (gradient checkpointing): same gradients, bounded caches.

Caches are counted the way a fair grader would: every block is wrapped so that
each forward returns a fresh token around its cache; a token is alive while the
code under test still references it (weakref.finalize fires when it is freed).
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pytest

from reference.exercise18 import (
    Linear,
    Tanh,
    checkpoint_sequential,
    sequential_backward,
    sequential_forward,
)
from tests.reference.numeric import assert_close, numerical_grad

TIGHT = {"atol": 1e-15, "rtol": 1e-12}


class Token:
    __slots__ = ("cache", "__weakref__")

    def __init__(self, cache):
        self.cache = cache


class Tracker:
    """Shared log of forward/backward calls and of tokens alive."""

    def __init__(self):
        self.log: list[tuple[str, int]] = []
        self.alive = self.peak = 0

    def created(self, token: Token) -> None:
        self.alive += 1
        self.peak = max(self.peak, self.alive)
        weakref.finalize(token, self._freed)

    def _freed(self) -> None:
        self.alive -= 1

    def forwards(self, index: int) -> int:
        return self.log.count(("forward", index))


class Counting:
    """A block wrapper that logs its calls and hands out tracked cache tokens."""

    def __init__(self, block, index: int, tracker: Tracker):
        self.block, self.index, self.tracker = block, index, tracker

    def forward(self, x):
        y, cache = self.block.forward(x)
        self.tracker.log.append(("forward", self.index))
        token = Token(cache)
        self.tracker.created(token)
        return y, token

    def backward(self, dy, token):
        self.tracker.log.append(("backward", self.index))
        return self.block.backward(dy, token.cache)


def make_blocks(n_blocks: int, width: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [Linear(width, width, rng) if i % 2 == 0 else Tanh() for i in range(n_blocks)]


def wrapped(blocks):
    tracker = Tracker()
    return [Counting(b, i, tracker) for i, b in enumerate(blocks)], tracker


def grads(blocks):
    return [g.copy() for b in blocks if isinstance(b, Linear) for g in (b.dW, b.db)]


def recompute_groups(log, n_blocks):
    """Indices of the blocks re-run in each recomputation, in the order they ran."""
    groups, current = [], []
    for kind, index in log[n_blocks:]:
        if kind == "forward":
            current.append(index)
        elif current:
            groups.append(current)
            current = []
    return groups


def test_plain_backprop_helpers_match_numerical_grads():
    blocks = make_blocks(4, width=3, seed=1)
    rng = np.random.default_rng(2)
    x, dy = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    y, caches = sequential_forward(blocks, x)
    dx = sequential_backward(blocks, caches, dy)

    def loss(_=None):
        return np.sum(dy * sequential_forward(blocks, x)[0])

    assert_close(dx, numerical_grad(lambda v: np.sum(dy * sequential_forward(blocks, v)[0]), x.copy()))
    for block in blocks[::2]:
        assert_close(block.dW, numerical_grad(loss, block.W), what="dW")
        assert_close(block.db, numerical_grad(loss, block.b), what="db")
    assert "Linear(3, 3)" in repr(blocks[0]) and "Tanh" in repr(blocks[1])


@pytest.mark.parametrize("n_blocks,segments", [(1, 1), (5, 2), (10, 3), (16, 4), (16, 1), (16, 16), (7, 7)])
def test_gradients_equal_plain_backprop(n_blocks, segments):
    rng = np.random.default_rng(n_blocks)
    x, dy = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    blocks = make_blocks(n_blocks)
    y_plain, caches = sequential_forward(blocks, x)
    dx_plain, grads_plain = sequential_backward(blocks, caches, dy), grads(blocks)
    for b in blocks:
        b.zero_grad()
    y, backward = checkpoint_sequential(blocks, x, segments)
    assert_close(y, y_plain, **TIGHT, what="y")
    assert all(not g.any() for g in grads(blocks)), "the forward pass touched parameter grads"
    assert_close(backward(dy), dx_plain, **TIGHT, what="dx")
    for got, want in zip(grads(blocks), grads_plain, strict=True):
        assert_close(got, want, **TIGHT, what="parameter grad")


@pytest.mark.parametrize(
    "n_blocks,segments", [(16, 4), (10, 3), (16, 1), (16, 16), (9, 2), (12, 5), (16, 20)]
)
def test_caches_alive_and_forward_counts_are_bounded(n_blocks, segments):
    blocks, tracker = wrapped(make_blocks(n_blocks))
    x = np.random.default_rng(0).normal(size=(2, 4))
    y, backward = checkpoint_sequential(blocks, x, segments)
    assert tracker.log == [("forward", i) for i in range(n_blocks)], "forward runs each block once"
    assert tracker.alive == 0, "the forward pass keeps no cache"
    backward(np.ones_like(y))
    s = min(segments, n_blocks)
    assert tracker.peak <= s + math.ceil(n_blocks / s)
    assert tracker.peak == math.ceil(n_blocks / s), "the reference holds one segment at a time"
    assert tracker.alive == 0
    assert max(tracker.forwards(i) for i in range(n_blocks)) <= 2


def test_sixteen_blocks_four_segments_at_most_eight_caches():
    blocks, tracker = wrapped(make_blocks(16))
    y, backward = checkpoint_sequential(blocks, np.ones((2, 4)), 4)
    backward(np.ones_like(y))
    assert tracker.peak <= 8
    assert all(tracker.forwards(i) == 2 for i in range(16))


def test_the_cache_count_has_teeth():
    """Plain backprop through the same wrappers holds all L caches."""
    blocks, tracker = wrapped(make_blocks(16))
    y, caches = sequential_forward(blocks, np.ones((2, 4)))
    sequential_backward(blocks, caches, np.ones_like(y))
    assert tracker.peak == 16


@pytest.mark.parametrize("n_blocks,segments", [(10, 3), (10, 4), (7, 2), (16, 4), (5, 5), (6, 1)])
def test_segments_are_contiguous_balanced_and_run_last_first(n_blocks, segments):
    blocks, tracker = wrapped(make_blocks(n_blocks))
    y, backward = checkpoint_sequential(blocks, np.ones((2, 4)), segments)
    backward(np.ones_like(y))
    groups = recompute_groups(tracker.log, n_blocks)
    sizes = [len(g) for g in groups]
    assert len(groups) == segments and sum(sizes) == n_blocks
    assert max(sizes) - min(sizes) <= 1, f"segment sizes {sizes}"
    assert [i for g in reversed(groups) for i in g] == list(range(n_blocks)), "last segment first"
    backwards = [i for kind, i in tracker.log if kind == "backward"]
    assert backwards == list(reversed(range(n_blocks)))


def test_ten_blocks_three_segments_sizes():
    blocks, tracker = wrapped(make_blocks(10))
    y, backward = checkpoint_sequential(blocks, np.ones((2, 4)), 3)
    backward(np.ones_like(y))
    assert sorted(len(g) for g in recompute_groups(tracker.log, 10)) == [3, 3, 4]


@pytest.mark.parametrize("segments", [0, -1])
def test_rejects_fewer_than_one_segment(segments):
    with pytest.raises(ValueError):
        checkpoint_sequential(make_blocks(3), np.ones((2, 4)), segments)
