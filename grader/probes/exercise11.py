"""Probes for exercise 11: the hand-derived two-layer MLP."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.answers import Array, Number, Record
from grader.probes.base import (
    Flow,
    GradProblem,
    Inputs,
    Verdict,
    arrays,
    as_array,
    as_float,
    fixed,
    gradcheck,
    prop,
    seeded,
    unpack,
    value,
)

API = ("mlp_forward", "mlp_backward")
CACHE = ("z1", "a1", "p", "W2")
GRADS = ("dW1", "db1", "dW2", "db2")
PARAMS = ("W1", "b1", "W2", "b2")
#: Backwards from the loss: dz2 gives dW2, db2 and (through dz1) dW1, db1.
FLOW = Flow(
    order=("dW2", "db2", "dW1", "db1"),
    through={"dz2 = dL/dz2": ("dW2", "db2", "dW1", "db1"), "dz1 = dL/dz1": ("dW1", "db1")},
)


def network(
    rng: np.random.Generator, n: int = 6, d: int = 4, h: int = 5, k: int = 3, scale: float = 1.0
) -> Inputs:
    """A small batch and random weights; distinct sizes so that a transposed shape shows."""
    return {
        "X": rng.standard_normal((n, d)).tolist(),
        "y": rng.integers(0, k, size=n).tolist(),
        "W1": (rng.standard_normal((d, h)) * 0.8).tolist(),
        "b1": (rng.standard_normal(h) * 0.1).tolist(),
        "W2": (rng.standard_normal((h, k)) * 0.8 * scale).tolist(),
        "b2": (rng.standard_normal(k) * 0.1).tolist(),
    }


def _forward(
    module: Any, inputs: Inputs, params: dict[str, np.ndarray] | None = None
) -> tuple[float, list[Any]]:
    X, W1, b1, W2, b2 = arrays(inputs, "X", "W1", "b1", "W2", "b2")
    p = params or {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    y = np.array(inputs["y"], dtype=np.intp)
    loss, cache = unpack(
        module.mlp_forward(X, y, p["W1"], p["b1"], p["W2"], p["b2"]), ("loss", "cache"), "mlp_forward"
    )
    return as_float(loss, "the loss"), unpack(cache, CACHE, "the cache")


@value(API[:1], seeded(network))
def mlp_forward(module: Any, inputs: Inputs) -> dict[str, Any]:
    loss, cache = _forward(module, inputs)
    return {"loss": loss, **dict(zip(CACHE, cache, strict=True))}


def _large_logits() -> dict[str, Inputs]:
    return {"logits around 1000": network(np.random.default_rng(11), scale=400.0)}


def _stable(inputs: Inputs, observed: dict[str, Any], expected: dict[str, Any] | None) -> Verdict:
    """Finite probabilities whose rows sum to one and a finite loss, equal to the correct ones."""
    loss, p = observed["loss"], observed["p"]
    if not np.isfinite(p).all():
        return Verdict(False, "p contains inf or NaN", "unstable-softmax")
    if p.ndim != 2 or not np.allclose(p.sum(axis=-1), 1.0):
        return Verdict(False, "the rows of p do not sum to 1")
    if not np.isfinite(loss):
        return Verdict(False, f"p is fine but the loss is {loss}", "log-of-underflowed-p")
    if expected is None:
        return Verdict(True)
    if np.shape(expected["p"]) != p.shape or not np.allclose(p, expected["p"], rtol=1e-6, atol=1e-12):
        return Verdict(
            False, "p is finite but wrong: softmax(z) should equal softmax(z - c) for any constant c"
        )
    if not np.isclose(loss, expected["loss"], rtol=1e-6, atol=1e-9):
        return Verdict(False, f"p is right but the loss is {loss:.6g}, expected {expected['loss']:.6g}")
    return Verdict(True)


@prop(
    API[:1],
    fixed(_large_logits),
    _stable,
    lambda inputs: Record({"loss": Number(), "p": Array()}),
    truth=True,
)
def mlp_forward_large_logits(module: Any, inputs: Inputs) -> dict[str, Any]:
    loss, cache = _forward(module, inputs)
    return {"loss": loss, "p": as_array(cache[2], "p")}


def _backward(module: Any, inputs: Inputs, params: dict[str, np.ndarray]) -> dict[str, Any]:
    _, cache = _forward(module, inputs, params)
    X = np.array(inputs["X"], dtype=np.float64)
    y = np.array(inputs["y"], dtype=np.intp)
    grads = unpack(module.mlp_backward(X, y, tuple(cache)), GRADS, "mlp_backward")
    return dict(zip(PARAMS, grads, strict=True))


def _problem(module: Any, inputs: Inputs) -> GradProblem:
    params = dict(zip(PARAMS, arrays(inputs, *PARAMS), strict=True))
    return GradProblem(
        params,
        loss=lambda p: _forward(module, inputs, p)[0],
        grads=lambda p: _backward(module, inputs, p),
        labels=dict(zip(PARAMS, GRADS, strict=True)),
        value="the loss of mlp_forward",
        flow=FLOW,
    )


mlp_backward = gradcheck(API, seeded(network))(_problem)


@value(API, seeded(lambda rng: network(rng, n=int(rng.integers(3, 9)), d=3, h=7, k=4)), flow=FLOW)
def mlp_backward_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    grads = _problem(module, inputs).analytic()
    return {label: grads[name] for name, label in zip(PARAMS, GRADS, strict=True)}
