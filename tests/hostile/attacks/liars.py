"""Wrong gradients (twice the right ones) behind objects that claim to equal anything."""

import numpy as np


class Liar:
    """Equal to everything; its numbers (through __array__ and __float__) are wrong."""

    def __init__(self, wrong):
        self._wrong = np.asarray(wrong, dtype=float)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return float(self._wrong.sum())

    def __array__(self, dtype=None, copy=None):
        return self._wrong.astype(dtype or float)


class AlwaysClose(np.ndarray):
    """An array whose comparisons all say equal."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)


def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    dz2 = p.copy()
    dz2[np.arange(len(y)), y] -= 1
    dz2 /= len(y)
    dz1 = dz2 @ W2.T * (z1 > 0)
    return Liar(2 * X.T @ dz1), Liar(2 * dz1.sum(0)), (2 * a1.T @ dz2).view(AlwaysClose), Liar(2 * dz2.sum(0))
