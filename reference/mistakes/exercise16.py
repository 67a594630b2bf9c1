"""Classic mistakes in exercise 16 (LayerNorm)."""

import types

from grader.mutants import mutate

DGAMMA = "(dout * xhat).sum(axis=0)"
BIASED_VAR = "((x - mu) ** 2).mean(axis=1, keepdims=True)"


def variants(ref: types.ModuleType) -> dict[str, types.ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "no-mean-variance-coupling": mutate(
            ref, "no-mean-variance-coupling", [("s / d * (d * g - through_mu - through_var)", "g * s")]
        ),
        "dgamma-without-xhat": mutate(ref, "dgamma-without-xhat", [(DGAMMA, "dout.sum(axis=0)")]),
        "dgamma-uses-x": mutate(ref, "dgamma-uses-x", [(DGAMMA, "(dout * x).sum(axis=0)")]),
        "dbeta-by-mean": mutate(ref, "dbeta-by-mean", [("dout.sum(axis=0)", "dout.mean(axis=0)")]),
        "eps-not-1e-5": mutate(ref, "eps-not-1e-5", [("eps: float = 1e-5", "eps: float = 1e-8", 2)]),
        "unbiased-variance": mutate(
            ref,
            "unbiased-variance",
            [(BIASED_VAR, "((x - mu) ** 2).sum(axis=1, keepdims=True) / (x.shape[1] - 1)", 2)],
        ),
    }
