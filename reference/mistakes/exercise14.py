"""Classic mistakes in exercise 14 (the tensor autograd engine)."""

from types import ModuleType

from grader.mutants import mutate


def variants(ref: ModuleType) -> dict[str, ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        # No unbroadcast, and `grad = grad + g`: the grad silently takes the broadcast shape.
        "no-unbroadcast": mutate(
            ref,
            "no-unbroadcast",
            [
                ("grad = np.asarray(grad, dtype=np.float64)", "return np.asarray(grad, dtype=np.float64)"),
                ("self.grad += unbroadcast(", "self.grad = self.grad + unbroadcast(", 3),
                ("other.grad += unbroadcast(", "other.grad = other.grad + unbroadcast(", 3),
            ],
        ),
        "matmul-missing-transpose": mutate(
            ref,
            "matmul-missing-transpose",
            [
                ("out.grad @ other.data.T", "out.grad @ other.data"),
                ("self.data.T @ out.grad", "self.data @ out.grad"),
            ],
        ),
        "overwritten-grad": mutate(
            ref,
            "overwritten-grad",
            [("self.grad += ", "self.grad = ", 8), ("other.grad += ", "other.grad = ", 4)],
        ),
        # The walk starts from nothing, so the order is empty: the root's grad is set, nothing propagates.
        "backward-never-reached-leaves": mutate(
            ref,
            "backward-never-reached-leaves",
            [("topo, visited, stack = [], set(), [(self, False)]", "topo, visited, stack = [], set(), []")],
        ),
    }
