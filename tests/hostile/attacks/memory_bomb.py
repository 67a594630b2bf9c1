"""mlp_backward tries to lift its memory limit, then asks for 8 GiB."""

import resource

import numpy as np


def mlp_backward(X, y, cache):
    unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    try:
        resource.setrlimit(resource.RLIMIT_AS, unlimited)
    except (ValueError, OSError) as exc:
        print("could not lift the memory limit:", exc)
    hog = np.ones(2**30)
    return hog, hog, hog, hog
