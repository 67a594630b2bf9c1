"""Probes for exercise 15: softmax, its vector-Jacobian product, and softmax cross-entropy.

The gradient checks differentiate the probe's own softmax and cross-entropy (the math
of the exercise statement), so a bug in the submission's `softmax` never shows up as a
bug in its backward functions.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.probes.base import (
    GradProblem,
    Inputs,
    Verdict,
    arrays,
    as_array,
    fixed,
    gradcheck,
    prop,
    seeded,
    value,
)

API = ("softmax", "softmax_backward", "softmax_cross_entropy_backward")


def logits(rng: np.random.Generator, shape: tuple[int, ...] = (5, 4), offset: float = 0.0) -> Inputs:
    """Logits, an upstream gradient and labels; N != K so that a sum over the wrong axis shows."""
    return {
        "z": (offset + 2.0 * rng.standard_normal(shape)).tolist(),
        "dout": rng.standard_normal(shape).tolist(),
        "y": rng.integers(0, shape[-1], size=shape[0]).tolist(),
    }


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _mean_cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def _labels(inputs: Inputs) -> np.ndarray:
    return np.array(inputs["y"], dtype=np.intp)


def _softmax_of(module: Any, z: np.ndarray) -> np.ndarray:
    return as_array(module.softmax(z), "softmax(z)")


def _vjp(module: Any, z: np.ndarray, dout: np.ndarray) -> np.ndarray:
    return as_array(module.softmax_backward(dout.copy(), _softmax(z)), "softmax_backward(dout, p)")


def _cross_entropy_grad(module: Any, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return as_array(
        module.softmax_cross_entropy_backward(z.copy(), y.copy()), "softmax_cross_entropy_backward(z, y)"
    )


def _any_shape(rng: np.random.Generator) -> Inputs:
    """Logits of one of a few shapes, including a leading batch axis: softmax acts on the last axis."""
    return logits(rng, ((5, 4), (3, 6), (2, 3, 4))[int(rng.integers(3))])


@value(API[:1], seeded(_any_shape))
def softmax_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    (z,) = arrays(inputs, "z")
    return {"softmax(z)": _softmax_of(module, z)}


LARGE_LOGITS = {
    "logits around 1000": logits(np.random.default_rng(15), offset=1000.0),
    "logits around -1000": logits(np.random.default_rng(16), offset=-1000.0),
}


def _stable(inputs: Inputs, observed: dict[str, Any]) -> Verdict:
    """Finite and equal to softmax of the same logits shifted towards 0 (softmax is shift-invariant)."""
    p = np.asarray(observed["softmax(z)"])
    if not np.isfinite(p).all():
        return Verdict(False, "softmax(z) contains NaN or inf", "unstable-softmax")
    z = np.array(inputs["z"], dtype=np.float64)
    if p.shape != z.shape or not np.allclose(p, _softmax(z), rtol=1e-6, atol=1e-12):
        return Verdict(False, "softmax(z) is wrong: it should equal softmax(z - c) for any constant c")
    return Verdict(True)


@prop(API[:1], fixed(LARGE_LOGITS), judge=_stable)
def softmax_large_logits(module: Any, inputs: Inputs) -> dict[str, Any]:
    (z,) = arrays(inputs, "z")
    return {"softmax(z)": _softmax_of(module, z)}


def _vjp_problem(module: Any, inputs: Inputs) -> GradProblem:
    """The loss sum(dout * softmax(z)), whose gradient w.r.t. z is softmax_backward(dout, p)."""
    z, dout = arrays(inputs, "z", "dout")
    return GradProblem(
        {"z": z},
        loss=lambda p: float(np.sum(dout * _softmax(p["z"]))),
        grads=lambda p: {"z": _vjp(module, p["z"], dout)},
        labels={"z": "dz"},
    )


softmax_backward = gradcheck(API[1:2], seeded(logits))(_vjp_problem)


def _cross_entropy_problem(module: Any, inputs: Inputs) -> GradProblem:
    (z,) = arrays(inputs, "z")
    y = _labels(inputs)
    return GradProblem(
        {"z": z},
        loss=lambda p: _mean_cross_entropy(p["z"], y),
        grads=lambda p: {"z": _cross_entropy_grad(module, p["z"], y)},
        labels={"z": "dz"},
    )


softmax_cross_entropy_backward = gradcheck(API[2:], seeded(logits))(_cross_entropy_problem)


def _other_sizes(rng: np.random.Generator) -> Inputs:
    """A batch of another size for both backward functions, and extra leading axes for the VJP."""
    n, k = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    batched = logits(rng, (int(rng.integers(2, 4)), n, k))
    return {**logits(rng, (n, k)), "z3": batched["z"], "dout3": batched["dout"]}


@value(API[1:], seeded(_other_sizes))
def backward_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    z, dout, z3, dout3 = arrays(inputs, "z", "dout", "z3", "dout3")
    return {
        "softmax_backward": _vjp(module, z, dout),
        "softmax_backward on 3-D arrays": _vjp(module, z3, dout3),
        "softmax_cross_entropy_backward": _cross_entropy_grad(module, z, _labels(inputs)),
    }


JACOBIAN_SIZED = {"8 rows of 1024 classes": {"n": 8, "k": 1024, "seed": 15}}


@value(API[1:2], fixed(JACOBIAN_SIZED), kind="resource")
def softmax_backward_memory(module: Any, inputs: Inputs) -> dict[str, Any]:
    """Peak memory allocated by one call (a K x K Jacobian per row takes K times the answer's size)."""
    rng = np.random.default_rng(inputs["seed"])
    shape = (int(inputs["n"]), int(inputs["k"]))
    p, dout = _softmax(rng.standard_normal(shape)), rng.standard_normal(shape)
    peak = _peak_bytes(lambda: module.softmax_backward(dout, p))
    return {"metric": "peak memory", "value": peak, "unit": "bytes"}


def _peak_bytes(run: Callable[[], object]) -> int:
    """Bytes allocated at the peak of `run()` above what was allocated before (nests in a running trace)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        run()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
