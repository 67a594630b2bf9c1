# Classic mistake: dx treats the mean and the variance as constants.
import numpy as np


def _stats(x, eps):
    centred = x - np.mean(x, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.var(x, axis=1, keepdims=True) + eps)
    return centred, inv_std


def layernorm_forward(x, gamma, beta, eps=1e-5):
    centred, inv_std = _stats(x, eps)
    return centred * inv_std * gamma[None, :] + beta[None, :]


def layernorm_backward(dout, x, gamma, eps=1e-5):
    centred, inv_std = _stats(x, eps)
    xhat = centred * inv_std
    dx = dout * gamma * inv_std
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
