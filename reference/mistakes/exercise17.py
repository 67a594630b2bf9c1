"""Classic mistakes in exercise 17 (forward versus reverse mode)."""

import types

from grader.mutants import mutate

PRODUCT_TANGENT = "self.tangent * other.value + self.value * other.tangent"


def variants(ref: types.ModuleType) -> dict[str, types.ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "tangents-multiplied": mutate(
            ref, "tangents-multiplied", [(PRODUCT_TANGENT, "self.tangent * other.tangent")]
        ),
        "product-rule-half": mutate(
            ref, "product-rule-half", [(PRODUCT_TANGENT, "self.tangent * other.value")]
        ),
        "grads-not-reset": mutate(ref, "grads-not-reset", [("node.grad = 0.0", "node.grad += 0.0", 2)]),
    }
