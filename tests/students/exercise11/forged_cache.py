"""A forward that does no work on the hidden layer: a made-up a1 of zeros, and a loss and p that
are consistent with it and numerically stable. The stability point must not be earned this way."""

import numpy as np

def mlp_forward(X, y, W1, b1, W2, b2):
    n, k = X.shape[0], W2.shape[1]
    a1 = np.zeros((n, W2.shape[0]))
    z2 = a1 @ W2 + b2
    z = z2 - z2.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(n), y].mean()), (a1, a1, np.exp(logp), W2)

def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    return np.zeros((X.shape[1], a1.shape[1])), np.zeros(a1.shape[1]), np.zeros(W2.shape), np.zeros(W2.shape[1])
