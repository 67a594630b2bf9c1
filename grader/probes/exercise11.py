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


#: What a correct stable implementation meets by orders of magnitude: its rounding on logits around
#: 1000 is about 1e-13, while the mistakes these catch are off by whole units.
P_RTOL, P_ATOL, LOSS_RTOL = 1e-6, 1e-12, 1e-6
#: Where course code clips p (or adds to it) before the log: 1e-4, 1e-5, ..., 1e-16.
CLIPS = tuple(10.0**-k for k in range(4, 17))


def _stable(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
    """Finite probabilities and loss, equal to the softmax and the mean cross-entropy of the logits
    z2 = a1 @ W2 + b2 made from the submission's own cache: no reference is needed, so the student
    kit and the course autograder judge alike."""
    loss, p = observed["loss"], observed["p"]
    if not np.isfinite(p).all():
        return Verdict(False, "p contains inf or NaN", "unstable-softmax")
    if p.ndim != 2 or not np.allclose(p.sum(axis=-1), 1.0):
        return Verdict(False, "the rows of p do not sum to 1")
    if not np.isfinite(loss):
        return Verdict(False, f"p is fine but the loss is {loss}", "log-of-underflowed-p")
    z2 = _own_logits(inputs, observed)
    if z2 is None:
        shapes = f"a1 {observed['a1'].shape}, W2 {observed['W2'].shape} and p {p.shape}"
        return Verdict(False, f"the cache's shapes do not fit together: {shapes}")
    forged = _not_the_network(inputs, observed)
    if forged is not None:
        return Verdict(False, forged)
    log_p = _log_softmax(z2)
    if not np.allclose(p, np.exp(log_p), rtol=P_RTOL, atol=P_ATOL):
        return Verdict(
            False,
            "p is finite but it is not the softmax of z2 = a1 @ W2 + b2 from your cache: softmax(z) "
            "should equal softmax(z - c) for any constant c",
        )
    y = np.array(inputs["y"], dtype=np.intp)
    correct = float(-log_p[np.arange(len(y)), y].mean())
    if np.isclose(loss, correct, rtol=LOSS_RTOL, atol=0.0):
        return Verdict(True)
    message = (
        f"the loss is {loss:.6g}, expected {correct:.6g}: the mean cross-entropy of your own logits "
        f"z2 = a1 @ W2 + b2 from your cache, through log-sum-exp (tolerance rtol={LOSS_RTOL:g})"
    )
    clipped = _clipped(loss, p[np.arange(len(y)), y])
    return (
        Verdict(False, f"{message}; {clipped}", "clipped-probabilities")
        if clipped
        else Verdict(False, message)
    )


def _own_logits(inputs: Inputs, observed: dict[str, Any]) -> np.ndarray | None:
    """z2 = a1 @ W2 + b2 from the submission's cache, or None where a1, W2 and p do not fit (N, K)."""
    a1, W2, p = observed["a1"], observed["W2"], observed["p"]
    n, k = len(inputs["y"]), len(inputs["b2"])
    if a1.ndim != 2 or W2.ndim != 2 or p.shape != (n, k) or (a1.shape[0], W2.shape[1]) != (n, k):
        return None
    if a1.shape[1] != W2.shape[0]:
        return None
    return a1 @ W2 + np.array(inputs["b2"], dtype=np.float64)


def _not_the_network(inputs: Inputs, observed: dict[str, Any]) -> str | None:
    """Why the cache's a1 and W2 are not the network's own (the W2 given, and a1 = relu(X @ W1 + b1)),
    so that logits made from a made-up cache cannot earn the point; None when they are."""
    X, W1, b1, W2 = (np.array(inputs[name], dtype=np.float64) for name in ("X", "W1", "b1", "W2"))
    if not np.array_equal(observed["W2"], W2):
        return "the cache's W2 is not the W2 mlp_forward was given"
    if not np.allclose(observed["a1"], (X @ W1 + b1).clip(min=0.0), rtol=P_RTOL, atol=P_ATOL):
        return "the cache's a1 is not relu(X @ W1 + b1): the hidden layer is wrong, so the logits are too"
    return None


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax through numpy's log-sum-exp, finite for any finite logits."""
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def _clipped(loss: float, picked: np.ndarray) -> str | None:
    """How the loss was made from p[n, y[n]] if it was clipped, or shifted, before the log."""
    with np.errstate(divide="ignore"):
        for c in CLIPS:
            if np.isclose(loss, -np.log(np.clip(picked, c, 1.0 - c)).mean(), rtol=LOSS_RTOL, atol=0.0):
                formula = f"-log(clip(p, {c:g}, 1 - {c:g}))"
            elif np.isclose(loss, -np.log(picked + c).mean(), rtol=LOSS_RTOL, atol=0.0):
                formula = f"-log(p + {c:g})"
            else:
                continue
            return (
                f"it is the mean of {formula}: that keeps the log finite but caps each row's loss "
                f"near -log({c:g}) = {-np.log(c):.3g}, far below the true loss of a very wrong prediction"
            )
    return None


@prop(
    API[:1],
    fixed(_large_logits),
    _stable,
    lambda inputs: Record({"loss": Number(), "p": Array(), "a1": Array(), "W2": Array()}),
)
def mlp_forward_large_logits(module: Any, inputs: Inputs) -> dict[str, Any]:
    loss, (_, a1, p, W2) = _forward(module, inputs)
    return {"loss": loss, "p": as_array(p, "p"), "a1": as_array(a1, "a1"), "W2": as_array(W2, "W2")}


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
