"""Added to wrong gradients: the gradient check's probe patched so its finite differences agree.

The probe runs in the student's process, so this fools the gradient check itself;
the comparison with the reference, computed in the grader, must still fail.
"""

import numpy as np

from grader.probes import base

_evaluate = base.GradProblem.evaluate


def _forged(self, request):
    result = _evaluate(self, request)
    if request:
        eps, grads = float(request["eps"]), result["grads"]
        seed, count = int(request.get("seed", 0)), int(request.get("count", 0))
        slopes = {
            name: [float(np.sum(g * d)) for d in base.directions(seed, name, g.shape, count)]
            for name, g in grads.items()
        }
        result["directional"] = {name: [[eps * s, -eps * s] for s in slopes[name]] for name in grads}
        result["full"] = {
            name: {"plus": list(eps * grads[name].ravel()), "minus": list(-eps * grads[name].ravel())}
            for name in result["full"]
        }
    return result


base.GradProblem.evaluate = _forged
