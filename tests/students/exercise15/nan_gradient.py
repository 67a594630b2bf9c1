# Broken: the one-hot is "normalised" by itself, so 0/0 puts NaN in every wrong class.
import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=float)
    top = np.max(z, axis=-1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
    return np.exp(z - log_norm)


def softmax_backward(dout, p):
    row_dot = np.einsum("...k,...k->...", dout, p)[..., np.newaxis]
    return (dout - row_dot) * p


def softmax_cross_entropy_backward(z, y):
    n, k = np.shape(z)
    hits = (np.asarray(y)[:, None] == np.arange(k)).astype(float)
    target = hits / hits
    return (softmax(z) - target) / n
