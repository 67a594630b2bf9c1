"""Probes for exercise 18: gradient checkpointing.

The probe builds the blocks itself, in the student process: numpy Linear and Tanh blocks
that log every forward and backward call and hand out each cache wrapped in a token whose
lifetime is counted (a cache is alive while the submission still holds it). Only plain
observations travel back (the peak number of live caches, forward counts, the call log);
the judges apply the exercise's bounds in the grader.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.probes.base import (
    GradProblem,
    Inputs,
    ProbeError,
    Verdict,
    arrays,
    as_array,
    fixed,
    gradcheck,
    prop,
    seeded,
    unpack,
    value,
)

API = ("checkpoint_sequential",)


def network(rng: np.random.Generator, blocks: int = 6, segments: int = 2, width: int = 3) -> Inputs:
    """Linear blocks at even positions, Tanh at odd ones; all square, so a cache handed to the
    wrong block still fits and shows up as a wrong gradient rather than a shape error."""
    return {
        "segments": segments,
        "x": rng.standard_normal((2, width)).tolist(),
        "dy": rng.standard_normal((2, width)).tolist(),
        "weights": {
            str(i): {
                "W": (rng.standard_normal((width, width)) / math.sqrt(width)).tolist(),
                "b": (0.1 * rng.standard_normal(width)).tolist(),
            }
            for i in range(0, blocks, 2)
        },
        "blocks": blocks,
    }


class _Tracker:
    """The call log and the number of caches alive, shared by the blocks of one run."""

    def __init__(self) -> None:
        self.alive = self.peak = 0
        self.log: list[tuple[str, int]] = []

    def created(self) -> None:
        self.alive += 1
        self.peak = max(self.peak, self.alive)

    def freed(self) -> None:
        self.alive -= 1


class _Cache:
    """A block's cache as the submission sees it: counted alive until the last reference goes."""

    __slots__ = ("value", "_tracker")

    def __init__(self, value: np.ndarray, tracker: _Tracker):
        self.value, self._tracker = value, tracker
        tracker.created()

    def __del__(self) -> None:
        self._tracker.freed()


class _Block:
    """Logs its calls and wraps its caches; subclasses say what the block computes."""

    def __init__(self, index: int, tracker: _Tracker):
        self.index, self.tracker = index, tracker

    def forward(self, x: Any) -> tuple[np.ndarray, _Cache]:
        self.tracker.log.append(("forward", self.index))
        y, kept = self._forward(np.asarray(x, dtype=np.float64))
        return y, _Cache(kept, self.tracker)

    def backward(self, dy: Any, cache: Any) -> np.ndarray:
        if not isinstance(cache, _Cache):
            raise ProbeError(
                f"block {self.index}'s backward was given a {type(cache).__name__}, "
                "not a cache returned by a block's forward"
            )
        self.tracker.log.append(("backward", self.index))
        return self._backward(np.asarray(dy, dtype=np.float64), cache.value)

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _backward(self, dy: np.ndarray, kept: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class _Linear(_Block):
    def __init__(self, index: int, tracker: _Tracker, W: np.ndarray, b: np.ndarray):
        super().__init__(index, tracker)
        self.W, self.b = W, b
        self.dW, self.db = np.zeros_like(W), np.zeros_like(b)

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x @ self.W + self.b, x

    def _backward(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        self.dW += x.T @ dy
        self.db += dy.sum(axis=0)
        return dy @ self.W.T


class _Tanh(_Block):
    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.tanh(x)
        return y, y

    def _backward(self, dy: np.ndarray, y: np.ndarray) -> np.ndarray:
        return dy * (1.0 - y**2)


def _weights(inputs: Inputs) -> dict[str, np.ndarray]:
    """The Linear parameters as named gradient-check parameters: W0, b0, W2, b2, ..."""
    return {
        f"{name}{i}": np.array(params[name], dtype=np.float64)
        for i, params in inputs["weights"].items()
        for name in ("W", "b")
    }


def _build(inputs: Inputs, params: dict[str, np.ndarray], tracker: _Tracker) -> list[_Block]:
    return [
        _Linear(i, tracker, params[f"W{i}"], params[f"b{i}"]) if i % 2 == 0 else _Tanh(i, tracker)
        for i in range(inputs["blocks"])
    ]


def _checkpointed(module: Any, blocks: list[_Block], x: np.ndarray, inputs: Inputs) -> tuple[np.ndarray, Any]:
    """y and backward from the submission, checked for the shapes and types the exercise fixes."""
    y, backward = unpack(
        module.checkpoint_sequential(blocks, x, inputs["segments"]),
        ("y", "backward"),
        "checkpoint_sequential",
    )
    if not callable(backward):
        raise ProbeError(f"backward should be a function of dy, got a {type(backward).__name__}")
    y = as_array(y, "y")
    if y.shape != np.shape(inputs["dy"]):
        raise ProbeError(f"y has shape {y.shape}, expected {np.shape(inputs['dy'])}")
    return y, backward


def _labels(params: dict[str, np.ndarray]) -> dict[str, str]:
    return {name: "dx" if name == "x" else f"block {name[1:]}'s d{name[0]}" for name in params}


def _gradients(
    module: Any, inputs: Inputs, params: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, Any]]:
    """y, and dx with every block's parameter gradients after one checkpointed backward pass."""
    (dy,) = arrays(inputs, "dy")
    blocks = _build(inputs, params, _Tracker())
    y, backward = _checkpointed(module, blocks, params["x"], inputs)
    grads = {"x": backward(dy)}
    for block in blocks:
        if isinstance(block, _Linear):
            grads |= {f"W{block.index}": block.dW, f"b{block.index}": block.db}
    return y, grads


def _problem(module: Any, inputs: Inputs) -> GradProblem:
    """The loss sum(dy * y) as a function of x and every weight; backward(dy) gives its gradients."""
    x, dy = arrays(inputs, "x", "dy")
    params = {"x": x, **_weights(inputs)}

    def loss(p: dict[str, np.ndarray]) -> float:
        y, _ = _checkpointed(module, _build(inputs, p, _Tracker()), p["x"], inputs)
        return float(np.sum(dy * y))

    return GradProblem(params, loss, lambda p: _gradients(module, inputs, p)[1], _labels(params))


def _sizes(rng: np.random.Generator) -> Inputs:
    """6 blocks in 2 segments or 7 in 3 (sizes 2, 2, 3): every segment has several blocks to mix up."""
    blocks, segments = ((6, 2), (7, 3))[int(rng.integers(2))]
    return network(rng, blocks, segments)


checkpoint_sequential = gradcheck(API, seeded(_sizes))(_problem)


def _other_sizes(rng: np.random.Generator) -> Inputs:
    blocks = int(rng.integers(4, 13))
    return network(rng, blocks, int(rng.integers(1, blocks + 1)), width=int(rng.integers(2, 5)))


@value(API, seeded(_other_sizes))
def checkpoint_sequential_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    params = {"x": arrays(inputs, "x")[0], **_weights(inputs)}
    labels = _labels(params)
    y, grads = _gradients(module, inputs, params)
    return {"y": y, **{labels[name]: as_array(grad, labels[name]) for name, grad in grads.items()}}


LAYOUTS = {
    "16 blocks in 4 segments": network(np.random.default_rng(18), 16, 4),
    "10 blocks in 4 segments": network(np.random.default_rng(19), 10, 4),
}


def _observe(module: Any, inputs: Inputs) -> dict[str, Any]:
    """Peak live caches over forward and backward, forward count per block, the log after the forward."""
    tracker = _Tracker()
    params = {"x": arrays(inputs, "x")[0], **_weights(inputs)}
    blocks = _build(inputs, params, tracker)
    _, backward = _checkpointed(module, blocks, params["x"], inputs)
    forward_pass = len(tracker.log)
    backward(arrays(inputs, "dy")[0])
    return {
        "peak": tracker.peak,
        "forwards": [tracker.log.count(("forward", block.index)) for block in blocks],
        "after_forward": tracker.log[forward_pass:],
    }


def _layout(inputs: Inputs) -> tuple[int, int]:
    blocks = int(inputs["blocks"])
    return blocks, min(int(inputs["segments"]), blocks)


def _recomputed(observed: dict[str, Any]) -> list[list[int]]:
    """The runs of blocks whose forward ran again during backward, in the order they ran."""
    runs: list[list[int]] = []
    previous = "backward"
    for kind, index in observed["after_forward"]:
        if kind == "forward":
            if previous != "forward":
                runs.append([])
            runs[-1].append(int(index))
        previous = kind
    return runs


def _few_caches(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """At most S checkpoints' worth plus one segment of caches alive at any moment."""
    blocks, segments = _layout(inputs)
    longest = math.ceil(blocks / segments)
    bound, peak = segments + longest, int(observed["peak"])
    if peak <= bound:
        return Verdict(True)
    message = (
        f"{peak} caches were alive at once; {blocks} blocks in {segments} segments allow at most "
        f"{bound} ({segments} + ceil({blocks}/{segments}))"
    )
    if not _recomputed(observed):
        return Verdict(False, f"{message}: the forward pass kept every cache", "no-recomputation")
    return Verdict(False, f"{message}: let go of each cache once its block's backward has used it")


def _forwards_at_most_twice(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    counts = [int(c) for c in observed["forwards"]]
    worst = int(np.argmax(counts))
    if counts[worst] <= 2:
        return Verdict(True)
    return Verdict(
        False,
        f"block {worst}'s forward ran {counts[worst]} times; at most twice: "
        "once in the forward pass and once to recompute its segment",
    )


def _balanced(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """Backward recomputes S contiguous segments covering every block once, sizes within one."""
    blocks, segments = _layout(inputs)
    runs = _recomputed(observed)
    if not runs:
        message = "backward ran no block's forward again: nothing was recomputed from the checkpoints"
        return Verdict(False, message, "no-recomputation")
    contiguous = all(run == list(range(run[0], run[0] + len(run))) for run in runs)
    if not contiguous or sorted(i for run in runs for i in run) != list(range(blocks)):
        count = sum(map(len, runs))
        message = f"backward ran {count} block forwards in {len(runs)} runs for {blocks} blocks"
        return Verdict(False, f"{message}: expected each block once, in contiguous segments")
    sizes = [len(run) for run in runs]
    if len(runs) != segments or max(sizes) - min(sizes) > 1:
        small, extra = divmod(blocks, segments)
        expected = ", ".join(str(small + (i < extra)) for i in range(segments))
        return Verdict(
            False,
            f"segments of sizes {', '.join(map(str, sizes))}; expected {segments} segments whose sizes "
            f"differ by at most one ({expected} in some order)",
            "unbalanced-segments",
        )
    return Verdict(True)


checkpoint_sequential_memory = prop(API, fixed(LAYOUTS), _few_caches)(_observe)
checkpoint_sequential_forwards = prop(API, fixed(LAYOUTS), _forwards_at_most_twice)(_observe)
checkpoint_sequential_segments = prop(API, fixed(LAYOUTS), _balanced)(_observe)
