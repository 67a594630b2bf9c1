# Classic mistake: the forward pass uses the unbiased variance (ddof=1).
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.var(x, axis=1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dout, x, gamma, eps=1e-5):
    d = x.shape[1]
    centred = x - np.mean(x, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.var(x, axis=1, keepdims=True) + eps)
    xhat = centred * inv_std
    dxhat = dout * gamma
    dinv_std = np.sum(dxhat * centred, axis=1, keepdims=True)
    dvar = dinv_std * -0.5 * inv_std**3
    dcentred = dxhat * inv_std + dvar * 2.0 * centred / d
    dx = dcentred - np.mean(dcentred, axis=1, keepdims=True)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
