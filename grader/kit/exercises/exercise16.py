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
    raise NotImplementedError("layernorm_forward: your code here")


def layernorm_backward(
    dout: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of L w.r.t. x, gamma and beta given dout = dL/dy."""
    raise NotImplementedError("layernorm_backward: your code here")


# When you are done, check your work with:  grade exercise16.py
