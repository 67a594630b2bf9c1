# Classic mistake: dL/dz2 is taken as p / N, without subtracting the one-hot of the labels.
import numpy as np


def softmax(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def mlp_forward(X, y, W1, b1, W2, b2):
    z1 = X.dot(W1) + b1
    a1 = np.maximum(0, z1)
    z2 = a1.dot(W2) + b2
    p = softmax(z2)
    logp = z2 - np.max(z2, axis=1, keepdims=True)
    logp -= np.log(np.sum(np.exp(logp), axis=1, keepdims=True))
    return float(-np.mean(logp[range(len(y)), y])), (z1, a1, p, W2)


def mlp_backward(X, y, cache):
    z1, a1, p, W2 = cache
    dscores = p / len(y)
    dW2 = a1.T.dot(dscores)
    db2 = np.sum(dscores, axis=0)
    dhidden = dscores.dot(W2.T)
    dhidden[z1 <= 0] = 0
    return X.T.dot(dhidden), np.sum(dhidden, axis=0), dW2, db2
