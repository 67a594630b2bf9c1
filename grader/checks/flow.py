"""Which wrong gradient feedback starts with: the first cause, going backwards from the loss.

When dz2 is wrong, every gradient of a two-layer MLP is wrong, and the one farthest from the
cause (dW1) says least about it. So the wrong gradients are taken in data-flow order (a
probe's `Flow`), the first one is reported, and when every gradient computed from one
intermediate quantity is off (or every gradient is off by the same factor) the message says
that this quantity, upstream of them all, is the likely cause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grader.checks.compare import Mismatch, constant_factor, factor_words
from grader.probes.base import Flow
from grader.settings import Settings

#: Every gradient is exactly 0 while the correct ones are not: nothing was propagated (a backward pass
#: that never reached the inputs, or tangents that never left them, in forward mode).
NOTHING_REACHED = "no derivative got through the graph"


@dataclass(frozen=True)
class Cause:
    """The first wrong gradient, the message about it, and the intermediate quantity blamed, if any."""

    first: str
    message: str
    upstream: str | None = None

    @property
    def details(self) -> dict[str, str]:
        """What a report marks: the first wrong gradient (and the upstream quantity blamed)."""
        return {"first_wrong": self.first, **({"upstream": self.upstream} if self.upstream else {})}


def first_cause(flow: Flow, names: Sequence[str], wrong: Mapping[str, Mismatch], tol: Settings) -> Cause:
    """The cause to report first among the `wrong` gradients (a non-empty subset of `names`)."""
    ordered = [name for name in flow.ordered(names) if name in wrong]
    first = ordered[0]
    message = wrong[first].message
    upstream = _upstream(flow, first, wrong)
    if upstream is not None:
        below = flow.ordered(flow.through[upstream])
        return Cause(first, f"{upstream} looks wrong: {_all_off(below, wrong, tol)}; {message}", upstream)
    if len(names) > 1 and len(wrong) == len(names):
        factor = _common_factor(ordered, wrong, tol)
        if factor is not None:
            listed = ", ".join(ordered)
            common = f"every gradient ({listed}) is {factor_words(factor)}: look at what they all come from"
            return Cause(first, f"{common}; {message}")
    return Cause(first, message)


def nothing_reached(
    flow: Flow, got: Mapping[str, np.ndarray], correct: Mapping[str, np.ndarray], tol: Settings
) -> Cause | None:
    """Every gradient exactly 0 where the correct ones are not: a whole-graph failure, said once."""
    if any(np.any(np.asarray(grad) != 0) for grad in got.values()):
        return None
    if not any(np.any(np.abs(np.asarray(value)) > tol.atol) for value in correct.values()):
        return None
    names = flow.ordered(got)
    if len(names) == 1:
        message = f"{names[0]} is exactly 0, where the correct gradient is not: {NOTHING_REACHED}"
    else:
        message = f"every gradient is exactly 0 ({', '.join(names)}), where the correct ones are not: "
        message += NOTHING_REACHED
    return Cause(names[0], message)


def _upstream(flow: Flow, first: str, wrong: Mapping[str, Mismatch]) -> str | None:
    """The intermediate gradient farthest upstream whose every gradient computed from it is wrong,
    `first` among them (one gradient alone blames nothing beyond itself)."""
    blamed = [
        (len(below), name)
        for name, below in flow.through.items()
        if first in below and len(below) > 1 and all(label in wrong for label in below)
    ]
    return max(blamed)[1] if blamed else None


def _all_off(below: Sequence[str], wrong: Mapping[str, Mismatch], tol: Settings) -> str:
    said = f"every gradient downstream of it is off ({', '.join(below)})"
    factor = _common_factor(below, wrong, tol)
    return said if factor is None else f"{said}, each {factor_words(factor)}"


def _common_factor(names: Sequence[str], wrong: Mapping[str, Mismatch], tol: Settings) -> float | None:
    """The one constant c with got = c * expected for every named gradient, if there is one."""
    factors = []
    for name in names:
        mismatch = wrong[name]
        if mismatch.got is None or mismatch.expected is None or mismatch.got.shape != mismatch.expected.shape:
            return None
        factor = constant_factor(mismatch.got, mismatch.expected, tol)
        if factor is None:
            return None
        factors.append(factor)
    return factors[0] if np.allclose(factors, factors[0], rtol=1e-6, atol=0) else None
