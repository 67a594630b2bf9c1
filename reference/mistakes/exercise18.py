"""Classic mistakes in exercise 18 (gradient checkpointing).

Keeping every cache (no recomputation) and unbalanced segments give the right gradients;
the property checks' judges name them from what they observe. The variants here are the
mistakes that change the gradients.
"""

import types

from grader.mutants import mutate

#: Each segment is recomputed from the next one's checkpoint (its own output): caches of the wrong inputs.
STALE = ("reversed(checkpoints)", "reversed(checkpoints[1:] + [x])")
#: The segment's blocks, last first, are paired with its caches in forward order.
MISMATCHED = ("caches.pop()", "caches.pop(0)")


def variants(ref: types.ModuleType) -> dict[str, types.ModuleType]:
    """Misconception id → the reference with that mistake made."""
    return {
        "stale-caches": mutate(ref, "stale-caches", [STALE]),
        "mismatched-caches": mutate(ref, "mismatched-caches", [MISMATCHED]),
    }
