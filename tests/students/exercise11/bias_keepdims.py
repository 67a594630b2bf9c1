# Broken shape, right values: the bias gradients are summed with keepdims=True, so they
# have shape (1, H) and (1, K) where the biases are (H,) and (K,).
import numpy as np


def mlp_forward(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ W2 + b2
    log_p = z2 - z2.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(y)), y].mean()
    return float(loss), (z1, a1, np.exp(log_p), W2)


def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    dz2 = p.copy()
    dz2[np.arange(len(y)), y] -= 1
    dz2 /= len(y)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    db1 = np.sum(dz1, axis=0, keepdims=True)
    db2 = np.sum(dz2, axis=0, keepdims=True)
    return X.T @ dz1, db1, a1.T @ dz2, db2
