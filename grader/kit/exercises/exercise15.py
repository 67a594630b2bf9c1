"""Exercise 15 — the backward pass of softmax, without the Jacobian.

Softmax turns a row of logits z (length K) into probabilities

    p_i = exp(z_i) / sum_j exp(z_j)

Implement three functions on arrays whose last axis holds the K classes
(typically z of shape (N, K)):

1. ``softmax(z)`` — row-wise over the last axis. It must stay finite for large
   logits such as z = 1000: exp(1000) overflows float64. Softmax does not change
   when the same constant is subtracted from every entry of a row, so subtract
   the row maximum first.

2. ``softmax_backward(dout, p) -> dz`` — given p = softmax(z) and the upstream
   gradient dout = dL/dp (same shape as p), return dL/dz. The Jacobian of one row
   is dp_i/dz_j = p_i * (delta_ij - p_j), so the vector-Jacobian product is

       dz_j = sum_i dout_i * p_i * (delta_ij - p_j) = p_j * (dout_j - sum_i dout_i * p_i)

   One dot product per row, subtracted from dout, times p. Never build the K×K
   Jacobian: for N = 64 rows of K = 4096 classes it would take 8.6 GB, while
   the answer fits in 2 MB. Pitfall: forgetting to subtract sum(dout * p) (or
   summing over the wrong axis — keep the dimensions so it broadcasts per row).

3. ``softmax_cross_entropy_backward(z, y) -> dz`` — the gradient of the mean
   cross-entropy L = -(1/N) * sum_n log p[n, y_n] with respect to the logits z of
   shape (N, K), y holding N integer labels. Softmax and log cancel into

       dz = (softmax(z) - onehot(y)) / N

   Don't forget the 1/N of the mean.
"""

from __future__ import annotations

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax over the last axis, stable for large logits."""
    raise NotImplementedError("softmax: your code here")


def softmax_backward(dout: np.ndarray, p: np.ndarray) -> np.ndarray:
    """dL/dz from dL/dp and p = softmax(z): the VJP, O(N*K) memory."""
    raise NotImplementedError("softmax_backward: your code here")


def softmax_cross_entropy_backward(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of the mean cross-entropy of softmax(z) against labels y, w.r.t. z."""
    raise NotImplementedError("softmax_cross_entropy_backward: your code here")


# When you are done, check your work with:  grade exercise15.py
