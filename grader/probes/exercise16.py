"""Probes for exercise 16: LayerNorm forward and backward.

The gradient check differentiates the correct LayerNorm (the reference's, in the grader),
so a bug in the submission's forward pass is reported once, by its own check, and not
again as a bug in its backward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.probes.base import Flow, GradProblem, Inputs, arrays, as_array, gradcheck, seeded, unpack, value

API = ("layernorm_forward", "layernorm_backward")
PARAMS = ("x", "gamma", "beta")
LABELS = {"x": "dx", "gamma": "dgamma", "beta": "dbeta"}
#: Backwards from y = gamma * xhat + beta: beta and gamma touch y directly, x only through xhat.
FLOW = Flow(order=("dbeta", "dgamma", "dx"))


def batch(rng: np.random.Generator, n: int = 4, d: int = 5, constant_rows: int = 0) -> Inputs:
    """Rows with their own offset and spread (so that mean and variance matter), parameters, dout."""
    x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, (n, 1)) + rng.uniform(-2.0, 2.0, (n, 1))
    x[:constant_rows] = rng.uniform(-1.0, 1.0)
    return {
        "x": x.tolist(),
        "gamma": rng.uniform(0.5, 2.0, d).tolist(),
        "beta": rng.standard_normal(d).tolist(),
        "dout": rng.standard_normal((n, d)).tolist(),
    }


@value(API[:1], seeded(batch))
def layernorm_forward_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    x, gamma, beta = arrays(inputs, *PARAMS)
    return {"y": as_array(module.layernorm_forward(x, gamma, beta), "layernorm_forward(x, gamma, beta)")}


def _backward(module: Any, dout: np.ndarray, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    grads = module.layernorm_backward(dout.copy(), p["x"], p["gamma"])
    return dict(zip(PARAMS, unpack(grads, tuple(LABELS.values()), "layernorm_backward"), strict=True))


def _problem(module: Any, inputs: Inputs) -> GradProblem:
    """The loss sum(dout * layernorm_forward(x, gamma, beta)), whose gradients layernorm_backward returns."""
    (dout,) = arrays(inputs, "dout")

    def loss(p: dict[str, np.ndarray]) -> float:
        y = as_array(
            module.layernorm_forward(p["x"], p["gamma"], p["beta"]), "layernorm_forward(x, gamma, beta)"
        )
        return float(np.sum(dout * y))

    return GradProblem(
        dict(zip(PARAMS, arrays(inputs, *PARAMS), strict=True)),
        loss=loss,
        grads=lambda p: _backward(module, dout, p),
        labels=LABELS,
        value="sum(dout * layernorm_forward(x, gamma, beta))",
        own=False,
        flow=FLOW,
    )


layernorm_backward = gradcheck(API[1:], seeded(batch))(_problem)


def _other_sizes(rng: np.random.Generator) -> Inputs:
    """Another batch size and width, with a constant row (variance 0: only eps keeps it finite)."""
    return batch(rng, n=int(rng.integers(2, 7)), d=int(rng.integers(2, 9)), constant_rows=1)


@value(API[1:], seeded(_other_sizes), flow=FLOW)
def layernorm_backward_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    return {LABELS[name]: grad for name, grad in _problem(module, inputs).analytic().items()}
