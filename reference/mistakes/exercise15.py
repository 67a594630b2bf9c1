"""Classic mistakes in exercise 15 (softmax backward)."""

import types

import numpy as np

from grader.mutants import mutate, override

VJP = "np.sum(dout * p, axis=-1, keepdims=True)"


def _jacobian_backward(dout: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The VJP through the full (N, K, K) Jacobian: right values, K times the memory."""
    jacobian = p[..., :, None] * (np.eye(p.shape[-1]) - p[..., None, :])
    return np.einsum("...ij,...i->...j", jacobian, dout)


def variants(ref: types.ModuleType) -> dict[str, types.ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "missing-subtraction": mutate(ref, "missing-subtraction", [(f"p * (dout - {VJP})", "p * dout")]),
        "wrong-sum-axis": mutate(ref, "wrong-sum-axis", [(VJP, "np.sum(dout * p, axis=0, keepdims=True)")]),
        "materialised-jacobian": override(ref, "materialised-jacobian", softmax_backward=_jacobian_backward),
        "forgot-divide-by-n": mutate(ref, "forgot-divide-by-n", [("dz / n", "dz")]),
    }
