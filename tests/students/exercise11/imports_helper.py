# Keeps its helpers in a module of its own, utils.py next to this file (the test writes it):
# only exercise11.py is handed in and graded, so the import fails.
import numpy as np
from utils import relu, softmax


def mlp_forward(X, y, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    a1 = relu(z1)
    p = softmax(a1 @ W2 + b2)
    loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    return float(loss), (z1, a1, p, W2)


def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    n = len(y)
    dz2 = p.copy()
    dz2[np.arange(n), y] -= 1
    dz2 /= n
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    return X.T @ dz1, dz1.sum(0), a1.T @ dz2, dz2.sum(0)
