"""Added to wrong gradients: the gradient check's probe patched so its own finite differences agree.

The probe runs in the student's process, so a forged probe can make the submission's
function look exactly as steep as its gradient says. The grader takes the numerical
gradient from the correct function instead, so the gradient check must still fail.
"""

from grader.probes import base

answer = base.GradProblem.answer


def _forged(self, request):
    result = answer(self, request)
    if request.get("points"):
        eps = float(request["eps"])
        result["plus"] = {name: list(eps * g.ravel()) for name, g in result["grads"].items()}
        result["minus"] = {name: list(-eps * g.ravel()) for name, g in result["grads"].items()}
    return result


base.GradProblem.answer = _forged
