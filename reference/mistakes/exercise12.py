"""Classic mistakes in exercise 12 (the scalar autograd engine `Value`)."""

from types import ModuleType

from grader.mutants import mutate


def variants(ref: ModuleType) -> dict[str, ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "overwritten-grad": mutate(
            ref,
            "overwritten-grad",
            [("self.grad += ", "self.grad = ", 9), ("other.grad += ", "other.grad = ", 4)],
        ),
        "power-rule-missing-n": mutate(
            ref, "power-rule-missing-n", [("other * self.data ** (other - 1)", "self.data ** (other - 1)")]
        ),
        "quotient-rule-sign": mutate(
            ref, "quotient-rule-sign", [("-self.data / other.data**2", "self.data / other.data**2")]
        ),
        "quotient-rule-one-over-b": mutate(
            ref,
            "quotient-rule-one-over-b",
            [("-self.data / other.data**2 * out.grad", "out.grad / other.data")],
        ),
        # The walk starts from nothing, so the order is empty: the root's grad is set, nothing propagates.
        "backward-never-reached-leaves": mutate(
            ref,
            "backward-never-reached-leaves",
            [("topo, visited, stack = [], set(), [(self, False)]", "topo, visited, stack = [], set(), []")],
        ),
    }
