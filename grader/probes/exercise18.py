"""Probes for exercise 18: gradient checkpointing.

The probe builds the blocks itself, in the student process: numpy blocks that log every
forward and backward call and hand out each cache wrapped in a token whose lifetime is
counted. Gradients are checked against the correct function; memory and recomputation
cost are measured from outside the worker (`resource` probes: peak memory on wide
activations, CPU time against plain backpropagation); the call log and cache counts, kept
in the submission's process, only explain what went wrong (and the checks judged on them
alone are worth no points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grader.answers import Array, Flag, Integer, Items, Record
from grader.probes.base import (
    Flow,
    GradProblem,
    Inputs,
    ProbeError,
    Resource,
    Verdict,
    arrays,
    as_array,
    fixed,
    gradcheck,
    prop,
    resource,
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


def _checkpointed(
    module: Any, blocks: Sequence[_Block], x: np.ndarray, inputs: Inputs
) -> tuple[np.ndarray, Any]:
    """y and backward from the submission, checked for the shapes and types the exercise fixes."""
    y, backward = unpack(
        module.checkpoint_sequential(blocks, x, inputs["segments"]),
        ("y", "backward"),
        "checkpoint_sequential",
    )
    if not callable(backward):
        raise ProbeError(f"backward should be a function of dy, got a {type(backward).__name__}")
    y = as_array(y, "y")
    if y.shape != x.shape:
        raise ProbeError(f"y has shape {y.shape}, expected {x.shape} (every block keeps the shape)")
    return y, backward


def _labels(params: dict[str, np.ndarray]) -> dict[str, str]:
    """Each gradient's name, in data-flow order: the last block's first, dx (behind every block) last."""
    blocks = sorted({int(name[1:]) for name in params if name != "x"}, reverse=True)
    names = [f"{kind}{index}" for index in blocks for kind in ("W", "b")] + ["x"]
    return {name: "dx" if name == "x" else f"block {name[1:]}'s d{name[0]}" for name in names}


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

    labels = _labels(params)
    return GradProblem(
        params,
        loss,
        lambda p: _gradients(module, inputs, p)[1],
        labels,
        value="sum(dy * y)",
        flow=Flow(order=tuple(labels.values())),
    )


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
    y, grads = _gradients(module, inputs, params)
    return {"y": y, **{label: as_array(grads[name], label) for name, label in _labels(params).items()}}


LAYOUTS = {
    "16 blocks in 4 segments": network(np.random.default_rng(18), 16, 4),
    "10 blocks in 4 segments": network(np.random.default_rng(19), 10, 4),
}


def _observe(module: Any, inputs: Inputs) -> dict[str, Any]:
    """Forward count per block and the call log after the forward pass (kept by the submission's process)."""
    tracker = _Tracker()
    params = {"x": arrays(inputs, "x")[0], **_weights(inputs)}
    blocks = _build(inputs, params, tracker)
    _, backward = _checkpointed(module, blocks, params["x"], inputs)
    forward_pass = len(tracker.log)
    backward(arrays(inputs, "dy")[0])
    return {
        "forwards": [tracker.log.count(("forward", block.index)) for block in blocks],
        "after_forward": [[kind == "forward", index] for kind, index in tracker.log[forward_pass:]],
    }


def _observation(inputs: Inputs) -> Record:
    blocks = int(inputs["blocks"])
    return Record(
        {
            "forwards": Array(ndim=1, size=blocks, whole=True),
            "after_forward": Items(Array(ndim=1, size=2), 64 * blocks),
        }
    )


def _layout(inputs: Inputs) -> tuple[int, int]:
    blocks = int(inputs["blocks"])
    return blocks, min(int(inputs["segments"]), blocks)


def _recomputed(after_forward: Any) -> list[list[int]]:
    """The runs of blocks whose forward ran again during backward, in the order they ran."""
    runs: list[list[int]] = []
    previous = False
    for forward, index in after_forward:
        if forward:
            if not previous:
                runs.append([])
            runs[-1].append(int(index))
        previous = bool(forward)
    return runs


def _forwards_at_most_twice(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    counts = [int(c) for c in observed["forwards"]]
    worst = int(np.argmax(counts))
    if counts[worst] <= 2:
        return Verdict(True)
    return Verdict(
        False,
        f"block {worst}'s forward ran {counts[worst]} times; at most twice: "
        "once in the forward pass and once to recompute its segment",
    )


def _balanced(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    """Backward recomputes S contiguous segments covering every block once, sizes within one."""
    blocks, segments = _layout(inputs)
    runs = _recomputed(observed["after_forward"])
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
        expected_sizes = ", ".join(str(small + (i < extra)) for i in range(segments))
        return Verdict(
            False,
            f"segments of sizes {', '.join(map(str, sizes))}; expected {segments} segments whose sizes "
            f"differ by at most one ({expected_sizes} in some order)",
            "unbalanced-segments",
        )
    return Verdict(True)


# Feedback only (no points): the call log is kept in the submission's process, which could rewrite it.
checkpoint_sequential_forwards = prop(API, fixed(LAYOUTS), _forwards_at_most_twice, _observation)(_observe)
checkpoint_sequential_segments = prop(API, fixed(LAYOUTS), _balanced, _observation)(_observe)


# ---------------------------------------------------------------------------------------------
# Measured from outside: memory with wide activations, CPU time with many small blocks.


class _ScaleLeaky(_Block):
    """y = leaky_relu(x * w + b) along the width: cheap, and its cache (x and y) is what backward needs."""

    def __init__(self, index: int, tracker: _Tracker, w: np.ndarray, b: np.ndarray):
        super().__init__(index, tracker)
        self.w, self.b = w, b
        self.dw, self.db = np.zeros_like(w), np.zeros_like(b)

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = x * self.w + self.b
        y = np.maximum(z, 0.1 * z)
        return y, np.stack([x, y])

    def _backward(self, dy: np.ndarray, kept: np.ndarray) -> np.ndarray:
        x, y = kept
        dz = np.where(y > 0, dy, 0.1 * dy)
        self.dw += (dz * x).sum(axis=0)
        self.db += dz.sum(axis=0)
        return dz * self.w


def _wide_network(inputs: Inputs, tracker: _Tracker) -> tuple[list[_ScaleLeaky], np.ndarray, np.ndarray]:
    """ScaleLeaky blocks over (rows, width) activations, x and dy, all drawn from the case's seed."""
    rng = np.random.default_rng(inputs["seed"])
    rows, width = int(inputs["rows"]), int(inputs["width"])
    blocks = [
        _ScaleLeaky(i, tracker, rng.uniform(0.5, 1.5, width), 0.1 * rng.standard_normal(width))
        for i in range(int(inputs["blocks"]))
    ]
    return blocks, rng.standard_normal((rows, width)), rng.standard_normal((rows, width))


def _measured_run(module: Any, inputs: Inputs) -> dict[str, Any]:
    """One checkpointed forward and backward pass; the answer is sampled so that sending it stays cheap."""
    tracker = _Tracker()
    blocks, x, dy = _wide_network(inputs, tracker)
    y, backward = _checkpointed(module, blocks, x, inputs)
    forward_pass = len(tracker.log)
    dx = as_array(backward(dy), "dx")
    if dx.shape != x.shape:
        raise ProbeError(f"dx has shape {dx.shape}, expected {x.shape}")
    step = max(1, len(y) // 4)
    answer = {
        "y": y[::step],
        "dx": dx[::step],
        "dw": np.stack([block.dw for block in blocks]).sum(axis=1),
        "db": np.stack([block.db for block in blocks]).sum(axis=1),
    }
    recomputed = any(kind == "forward" for kind, _ in tracker.log[forward_pass:])
    return {"answer": answer, "observed": {"peak caches": tracker.peak, "recomputed": recomputed}}


class _PlainBackprop:
    """Backpropagation without checkpointing: the correct answer, and the cost checkpointing is held to."""

    @staticmethod
    def checkpoint_sequential(blocks: list[_Block], x: np.ndarray, segments: int) -> tuple[np.ndarray, Any]:
        caches = []
        for block in blocks:
            x, cache = block.forward(x)
            caches.append(cache)

        def backward(dy: np.ndarray) -> np.ndarray:
            for block, cache in zip(reversed(blocks), reversed(caches), strict=True):
                dy = block.backward(dy, cache)
            return dy

        return x, backward


def _caches_allowed(inputs: Inputs) -> float:
    """S checkpoints plus the caches of the longest segment (x and y each), in bytes: what checkpointing
    needs alive."""
    blocks, segments = _layout(inputs)
    activation = 8.0 * inputs["rows"] * inputs["width"]
    return (segments + 2 * math.ceil(blocks / segments)) * activation


def _too_much_memory(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    if not observed["recomputed"]:
        return Verdict(
            False, "the forward pass kept every cache (nothing was recomputed)", "no-recomputation"
        )
    peak = observed["peak caches"]
    return Verdict(
        False,
        f"{peak} caches were alive at once (counted in your process); "
        "let go of each cache once its block's backward has used it",
    )


def _too_slow(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    return Verdict(
        False, "recompute each segment once, from its own checkpoint, never from the network's input"
    )


MEASURED_ANSWER = Record({"peak caches": Integer(), "recomputed": Flag()})
WIDE_LAYOUT = {
    "36 blocks of 32 x 1024 in 6 segments": {
        "blocks": 36,
        "segments": 6,
        "rows": 32,
        "width": 1024,
        "seed": 18,
    }
}
#: What a call costs the interpreter beyond the checkpointing itself (the probe's arrays, the answer).
CALL_OVERHEAD = 8 * 2**20
DEEP_LAYOUT = {
    "360 small blocks in 36 segments": {"blocks": 360, "segments": 36, "rows": 4, "width": 16, "seed": 81}
}


def _plain(reference: Any) -> Any:
    return _PlainBackprop


checkpoint_sequential_memory = resource(
    API, fixed(WIDE_LAYOUT), Resource(
        "memory",
        "S + 2 ceil(L/S) activations",
        size=_caches_allowed,
        overhead=CALL_OVERHEAD,
        trusted=_plain,
        repeat=2,
    ),
    lambda inputs: MEASURED_ANSWER, _too_much_memory,
)(_measured_run)  # fmt: skip
checkpoint_sequential_cost = resource(
    API, fixed(DEEP_LAYOUT), Resource("cpu", "CPU time of plain backpropagation", trusted=_plain, repeat=3),
    lambda inputs: MEASURED_ANSWER, _too_slow,
)(_measured_run)  # fmt: skip
