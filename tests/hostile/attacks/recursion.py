"""mlp_backward recurses without end through C code, recursion limit lifted: the C stack overflows."""

import sys


def _down(n):
    return list(map(_down, [n + 1]))


def mlp_backward(X, y, cache):
    sys.setrecursionlimit(10**7)
    return _down(0)
