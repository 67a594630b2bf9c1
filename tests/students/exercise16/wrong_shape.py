# Broken: the parameter gradients keep the summed axis, shape (1, D) instead of (D,).
import numpy as np


def _stats(x, eps):
    centred = x - np.mean(x, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.var(x, axis=1, keepdims=True) + eps)
    return centred, inv_std


def layernorm_forward(x, gamma, beta, eps=1e-5):
    centred, inv_std = _stats(x, eps)
    return centred * inv_std * gamma[None, :] + beta[None, :]


def layernorm_backward(dout, x, gamma, eps=1e-5):
    d = x.shape[1]
    centred, inv_std = _stats(x, eps)
    xhat = centred * inv_std
    dxhat = dout * gamma
    dinv_std = np.sum(dxhat * centred, axis=1, keepdims=True)
    dvar = dinv_std * -0.5 * inv_std**3
    dcentred = dxhat * inv_std + dvar * 2.0 * centred / d
    dx = dcentred - np.mean(dcentred, axis=1, keepdims=True)
    return dx, np.sum(dout * xhat, axis=0, keepdims=True), np.sum(dout, axis=0, keepdims=True)
