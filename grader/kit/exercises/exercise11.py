"""Exercise 11 — backpropagation by hand through a two-layer MLP.

The network classifies N examples with D features into K classes through H hidden
ReLU units:

    z1 = X @ W1 + b1        (N, H)
    a1 = relu(z1)           (N, H)
    z2 = a1 @ W2 + b2       (N, K)
    p  = softmax(z2)        (N, K), row-wise
    L  = mean over the N rows of -log p[n, y[n]]

`X` is (N, D), `W1` (D, H), `b1` (H,), `W2` (H, K), `b2` (K,) and `y` holds N
integer labels in [0, K).

1. `mlp_forward(X, y, W1, b1, W2, b2)` returns `(loss, cache)`: the loss as a
   Python float and `cache = (z1, a1, p, W2)`, everything the backward pass needs.
2. `mlp_backward(X, y, cache)` returns `(dW1, db1, dW2, db2)`, the gradients of L,
   each with the shape of its parameter. Walk the forward pass backwards:

       dz2 = (p - onehot(y)) / N
       dW2 = a1.T @ dz2         db2 = sum of dz2 over the rows
       da1 = dz2 @ W2.T
       dz1 = da1 * (z1 > 0)
       dW1 = X.T @ dz1          db1 = sum of dz1 over the rows

Pitfalls:
- Divide by N exactly once, where the mean enters (in dz2); the later gradients
  inherit it through the chain rule.
- The ReLU mask is `z1 > 0`, taken from the pre-activation.
- Check shapes: `dW = input.T @ dz` gives (D, H) and (H, K), the shapes of W1 and W2.
- `exp(1000)` overflows: subtract each row's maximum before exponentiating, and
  take the loss from log-probabilities rather than `log(p)`, which is -inf when p
  underflows to 0.
"""

from __future__ import annotations

import numpy as np


def relu(z: np.ndarray) -> np.ndarray:
    """Elementwise max(z, 0)."""
    return np.maximum(z, 0.0)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log of softmax(z), finite even for logits like 1000."""
    raise NotImplementedError("log_softmax: your code here")


def mlp_forward(X, y, W1, b1, W2, b2) -> tuple[float, tuple]:
    """Mean cross-entropy of the MLP on (X, y), and the cache (z1, a1, p, W2)."""
    raise NotImplementedError("mlp_forward: your code here")


def mlp_backward(X, y, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the mean cross-entropy w.r.t. W1, b1, W2, b2."""
    raise NotImplementedError("mlp_backward: your code here")


# When you are done, check your work with:  grade exercise11.py
