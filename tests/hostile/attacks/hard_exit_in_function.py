"""mlp_backward ends the process at once (os._exit: no exception, no cleanup)."""

import os


def mlp_backward(X, y, cache):
    os._exit(0)
