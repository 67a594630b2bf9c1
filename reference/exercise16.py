"""Exercise 16 — LayerNorm, forward and backward.

LayerNorm normalises each row of x (shape (N, D)) to zero mean and unit variance,
then scales and shifts it with learned per-feature parameters gamma, beta (shape (D,)):

    mu     = mean(x, axis=1)                      one number per row
    var    = mean((x - mu)**2, axis=1)            biased variance (divide by D)
    xhat   = (x - mu) / sqrt(var + eps)
    y      = gamma * xhat + beta

Implement

1. ``layernorm_forward(x, gamma, beta, eps=1e-5) -> y`` of shape (N, D).

2. ``layernorm_backward(dout, x, gamma, eps=1e-5) -> (dx, dgamma, dbeta)`` where
   dout = dL/dy. Recompute mu, var and xhat from x (nothing is cached). The
   parameters are shared by all rows, so their gradients sum over the rows:

       dbeta  = sum(dout, axis=0)
       dgamma = sum(dout * xhat, axis=0)

   For dx, write g = dout * gamma (= dL/dxhat) and s = 1 / sqrt(var + eps). Every
   entry of a row moves mu and var, so every xhat of that row depends on every x
   of the row. Collecting the three paths (direct, through mu, through var) gives,
   row by row,

       dx = s / D * (D * g - sum(g) - xhat * sum(g * xhat))

   with both sums over the row (axis=1, keepdims). Pitfall: dx = g * s alone is
   what you get when you forget that mu and var depend on x; it is wrong.
   A constant row has var = 0: eps keeps everything finite, don't special-case it.
"""

from __future__ import annotations

import numpy as np


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Normalise each row of x, then scale by gamma and shift by beta."""
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta
    # END SOLUTION


def layernorm_backward(
    dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of L w.r.t. x, gamma and beta given dout = dL/dy."""
    # BEGIN SOLUTION
    dout, x = np.asarray(dout, dtype=np.float64), np.asarray(x, dtype=np.float64)
    d = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    s = 1.0 / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    xhat = (x - mu) * s
    g = dout * gamma
    # The two row sums are the paths through mu and var: they couple every entry of the row.
    through_mu = g.sum(axis=1, keepdims=True)
    through_var = xhat * (g * xhat).sum(axis=1, keepdims=True)
    dx = s / d * (d * g - through_mu - through_var)
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    return dx, dgamma, dbeta
    # END SOLUTION
