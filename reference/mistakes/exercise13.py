"""Classic mistakes in exercise 13 (topological order and the backward pass)."""

from types import ModuleType

from grader.mutants import mutate


def variants(ref: ModuleType) -> dict[str, ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "forward-order": mutate(
            ref, "forward-order", [("reversed(topological_order(root))", "topological_order(root)")]
        ),
        "duplicate-nodes": mutate(ref, "duplicate-nodes", [("id(node) not in visited", "True")]),
    }
