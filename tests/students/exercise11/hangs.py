# Loops forever inside mlp_backward.
import numpy as np


def mlp_forward(X, y, W1, b1, W2, b2):
    z1 = np.dot(X, W1) + b1[None, :]
    a1 = np.where(z1 > 0, z1, 0.0)
    z2 = np.dot(a1, W2) + b2[None, :]
    m = np.max(z2, axis=1)
    e = np.exp(z2 - m[:, None])
    p = e / np.sum(e, axis=1)[:, None]
    rows = []
    for i, label in enumerate(y):
        rows.append(-(z2[i, label] - m[i] - np.log(np.sum(e[i]))))
    return float(np.mean(rows)), (z1, a1, p, W2)


def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    while True: pass
    # one line, so the stack shows the same line whenever time runs out
    n, k = p.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1
    g2 = (p - onehot) / n
    dW2 = np.einsum("nh,nk->hk", a1, g2)
    db2 = g2.sum(0)
    g1 = np.dot(g2, W2.T)
    g1[z1 <= 0] = 0
    return np.einsum("nd,nh->dh", X, g1), g1.sum(0), dW2, db2
