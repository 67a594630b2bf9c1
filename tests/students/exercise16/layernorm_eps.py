# Classic mistake: a LayerNorm copied with its own eps, 1e-8, used instead of the eps argument.
import numpy as np

EPS = 1e-8


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    return gamma * xhat + beta


def layernorm_backward(dout, x, gamma, eps=1e-5):
    n_features = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    xhat = (x - mu) * inv_std
    dxhat = dout * gamma
    dx = inv_std / n_features * (
        n_features * dxhat - dxhat.sum(axis=1, keepdims=True) - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)
    )
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
