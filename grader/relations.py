"""Classic mistakes recognised by their relation to the correct gradient, where no variant can run.

The student kit has no reference and so no wrong variants of it (`reference/mistakes/`) to name a
mistake with. Some mistakes need none: forgetting to divide by N multiplies every gradient by N,
averaging a bias gradient divides it by N, a transposed weight gradient is the correct one
transposed, a backward pass that never reaches the leaves leaves every gradient at 0. Given the
correct gradients of a public case (which the kit has), such a relation gives what the mistake
returns, and that is matched with the student's answer exactly as the variant's would be.

A relation is declared here by the course, per gradient-check probe and misconception, never
guessed; `grade assign` checks each declaration against the mistake's variant on every public
case of the checks using it (`grader.truth.shipped_values`), so a relation names what the variant
would and nothing else. A mistake with no relation has its variant's outcomes shipped instead:
one that holds on some cases only (the quotient rule's sign on `/` alone, `=` for `+=` halving a
value used exactly twice but not a diamond's), or that needs what the correct gradient does not
carry (a missing ReLU mask or row sum acts on an intermediate gradient, not on dW1 or db).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

Gradients = Mapping[str, Any]
#: (a case's inputs, the correct gradients by parameter) -> the mistake's gradients by parameter.
Relation = Callable[[Mapping[str, Any], Gradients], dict[str, np.ndarray]]


def scaled(factor: Callable[[Mapping[str, Any]], float], *names: str) -> Relation:
    """The gradients of `names` (every parameter's if none) times `factor(inputs)`, the others right."""

    def relation(inputs: Mapping[str, Any], correct: Gradients) -> dict[str, np.ndarray]:
        by = factor(inputs)
        return {
            name: np.asarray(value) * (by if not names or name in names else 1.0)
            for name, value in correct.items()
        }

    return relation


def rows(name: str) -> Callable[[Mapping[str, Any]], float]:
    """N: the number of rows of the input `name` (the batch the loss averages over)."""
    return lambda inputs: float(len(inputs[name]))


def per_row(name: str) -> Callable[[Mapping[str, Any]], float]:
    """1 / N, N the number of rows of the input `name`."""
    return lambda inputs: 1.0 / len(inputs[name])


def transposed(*names: str) -> Relation:
    """The gradients of `names` transposed, the others right."""

    def relation(inputs: Mapping[str, Any], correct: Gradients) -> dict[str, np.ndarray]:
        return {
            name: np.asarray(value).T if name in names else np.asarray(value)
            for name, value in correct.items()
        }

    return relation


def zero(inputs: Mapping[str, Any], correct: Gradients) -> dict[str, np.ndarray]:
    """Every gradient 0: the backward pass never reached the leaves."""
    return {name: np.zeros_like(np.asarray(value, dtype=np.float64)) for name, value in correct.items()}


def copied(target: str, source: str) -> Relation:
    """The gradient of `target` is the correct gradient of `source`, the others right."""

    def relation(inputs: Mapping[str, Any], correct: Gradients) -> dict[str, np.ndarray]:
        return {
            name: np.asarray(correct[source] if name == target else value) for name, value in correct.items()
        }

    return relation


NEVER_REACHED = {"backward-never-reached-leaves": zero}

#: (exercise, gradient-check probe) -> misconception id -> its relation to the correct gradients.
RELATIONS: Mapping[tuple[str, str], Mapping[str, Relation]] = {
    ("exercise11", "mlp_backward"): {
        "forgot-divide-by-n": scaled(rows("X")),
        "transposed-dw": transposed("W1", "W2"),
        "db-by-mean": scaled(per_row("X"), "b1", "b2"),
    },
    ("exercise12", "operators"): NEVER_REACHED,
    ("exercise12", "accumulation"): NEVER_REACHED,
    ("exercise14", "operators"): NEVER_REACHED,
    ("exercise14", "broadcasting"): NEVER_REACHED,
    ("exercise14", "accumulation"): NEVER_REACHED,
    ("exercise14", "expressions"): NEVER_REACHED,
    ("exercise15", "softmax_cross_entropy_backward"): {"forgot-divide-by-n": scaled(rows("z"))},
    ("exercise16", "layernorm_backward"): {
        "dbeta-by-mean": scaled(per_row("x"), "beta"),
        # dgamma summed dout alone, without xhat: that is how dbeta is made.
        "dgamma-without-xhat": copied("gamma", "beta"),
    },
}


def declared(exercise: str, probe: str | None, misconception: str) -> Relation | None:
    """The course's relation for `misconception` on `probe` of `exercise`, or None if it declares none."""
    return RELATIONS.get((exercise, probe or ""), {}).get(misconception)
