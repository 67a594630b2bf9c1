"""Probes for exercise 15: softmax, its vector-Jacobian product, and softmax cross-entropy.

The gradient checks differentiate the correct softmax and cross-entropy (the reference's,
in the grader), and give the backward functions correct probabilities as inputs, so a bug
in the submission's `softmax` never shows up as a bug in its backward functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.answers import Array, Record
from grader.probes.base import (
    GradProblem,
    Inputs,
    Resource,
    Verdict,
    arrays,
    as_array,
    fixed,
    gradcheck,
    prop,
    resource,
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


def probabilities(rng: np.random.Generator, shape: tuple[int, ...] = (5, 4)) -> Inputs:
    """Rows of probabilities p, the logits z = log(p) they are the softmax of, and an upstream gradient."""
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    return {"p": p.tolist(), "z": np.log(p).tolist(), "dout": rng.standard_normal(shape).tolist()}


def _labels(inputs: Inputs) -> np.ndarray:
    return np.array(inputs["y"], dtype=np.intp)


def _softmax_of(module: Any, z: np.ndarray) -> np.ndarray:
    return as_array(module.softmax(z), "softmax(z)")


def _vjp(module: Any, dout: np.ndarray, p: np.ndarray) -> np.ndarray:
    return as_array(module.softmax_backward(dout.copy(), p.copy()), "softmax_backward(dout, p)")


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


def _large_logits() -> dict[str, Inputs]:
    return {
        "logits around 1000": logits(np.random.default_rng(15), offset=1000.0),
        "logits around -1000": logits(np.random.default_rng(16), offset=-1000.0),
    }


def _stable(inputs: Inputs, observed: dict[str, Any], expected: dict[str, Any] | None) -> Verdict:
    """Finite rows that sum to one, equal to the correct softmax of the same logits."""
    p = observed["softmax(z)"]
    if not np.isfinite(p).all():
        return Verdict(False, "softmax(z) contains NaN or inf", "unstable-softmax")
    if p.shape != np.shape(inputs["z"]) or not np.allclose(p.sum(axis=-1), 1.0):
        return Verdict(False, "the rows of softmax(z) do not sum to 1")
    want = None if expected is None else expected["softmax(z)"]
    if want is not None and not np.allclose(p, want, rtol=1e-6, atol=1e-12):
        return Verdict(False, "softmax(z) is wrong: it should equal softmax(z - c) for any constant c")
    return Verdict(True)


@prop(API[:1], fixed(_large_logits), _stable, lambda inputs: Record({"softmax(z)": Array()}), truth=True)
def softmax_large_logits(module: Any, inputs: Inputs) -> dict[str, Any]:
    (z,) = arrays(inputs, "z")
    return {"softmax(z)": _softmax_of(module, z)}


def _vjp_problem(module: Any, inputs: Inputs) -> GradProblem:
    """The loss sum(dout * softmax(z)) at z = log(p), whose gradient w.r.t. z is softmax_backward(dout, p)."""
    z, dout, p = arrays(inputs, "z", "dout", "p")
    return GradProblem(
        {"z": z},
        loss=lambda q: float(np.sum(dout * as_array(module.softmax(q["z"]), "softmax(z)"))),
        grads=lambda q: {"z": _vjp(module, dout, p)},
        labels={"z": "dz"},
        value="sum(dout * softmax(z))",
        own=False,
    )


softmax_backward = gradcheck(API[1:2], seeded(probabilities))(_vjp_problem)


def _mean_cross_entropy(module: Any, z: np.ndarray, y: np.ndarray) -> float:
    """The mean cross-entropy of softmax(z) (the module's) for labels y."""
    p = as_array(module.softmax(z), "softmax(z)")
    return float(-np.log(p[np.arange(len(y)), y]).mean())


def _cross_entropy_problem(module: Any, inputs: Inputs) -> GradProblem:
    (z,) = arrays(inputs, "z")
    y = _labels(inputs)
    return GradProblem(
        {"z": z},
        loss=lambda q: _mean_cross_entropy(module, q["z"], y),
        grads=lambda q: {"z": _cross_entropy_grad(module, q["z"], y)},
        labels={"z": "dz"},
        value="the mean cross-entropy of softmax(z)",
        own=False,
    )


softmax_cross_entropy_backward = gradcheck(API[2:], seeded(logits))(_cross_entropy_problem)


def _other_sizes(rng: np.random.Generator) -> Inputs:
    """A batch of another size for both backward functions, and extra leading axes for the VJP."""
    n, k = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    batched = probabilities(rng, (int(rng.integers(2, 4)), n, k))
    return {**logits(rng, (n, k)), **probabilities(rng, (n, k)), "p3": batched["p"], "dout3": batched["dout"]}


@value(API[1:], seeded(_other_sizes))
def backward_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    z, dout, p, p3, dout3 = arrays(inputs, "z", "dout", "p", "p3", "dout3")
    return {
        "softmax_backward": _vjp(module, dout, p),
        "softmax_backward on 3-D arrays": _vjp(module, dout3, p3),
        "softmax_cross_entropy_backward": _cross_entropy_grad(module, z, _labels(inputs)),
    }


JACOBIAN_SIZED = {"a row of 4096 classes": {"n": 1, "k": 4096, "seed": 15}}
#: What a call costs the interpreter beyond the function itself (decoding, encoding the answer).
CALL_OVERHEAD = 12 * 2**20


def _answer_bytes(inputs: Inputs) -> float:
    return 8.0 * inputs["n"] * inputs["k"]


def _materialised(inputs: Inputs, observed: Any, expected: Any) -> Verdict:
    """Memory far beyond the answer's size means a Jacobian of K x K per row."""
    return Verdict(False, None, "materialised-jacobian")


MEMORY_EXHAUSTED = Verdict(
    False,
    "softmax_backward ran out of memory (a K x K Jacobian is 128 MiB here)",
    "materialised-jacobian",
)


@resource(
    API[1:2],
    fixed(JACOBIAN_SIZED),
    Resource("memory", "the answer's size", size=_answer_bytes, overhead=CALL_OVERHEAD, repeat=2),
    lambda inputs: Record({}),
    _materialised,
    raises={"MemoryError": MEMORY_EXHAUSTED},
)
def softmax_backward_memory(module: Any, inputs: Inputs) -> dict[str, Any]:
    """One call on a row so wide that its Jacobian takes 128 MiB; its memory is measured outside."""
    rng = np.random.default_rng(inputs["seed"])
    shape = (int(inputs["n"]), int(inputs["k"]))
    weights = rng.uniform(0.5, 1.5, shape)
    p, dout = weights / weights.sum(axis=-1, keepdims=True), rng.standard_normal(shape)
    return {"answer": _vjp(module, dout, p), "observed": {}}
