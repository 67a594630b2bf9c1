"""Classic mistakes in exercise 11 (the hand-derived MLP)."""

from grader.mutants import mutate


def variants(ref):
    """Misconception id → the reference with that mistake made."""
    return {
        "forgot-divide-by-n": mutate(ref, "forgot-divide-by-n", [("dz2 /= n", "dz2 /= 1")]),
        "onehot-not-subtracted": mutate(
            ref, "onehot-not-subtracted", [("    dz2[np.arange(n), y] -= 1.0\n", "")]
        ),
        "no-relu-mask": mutate(ref, "no-relu-mask", [("dz1 = (dz2 @ W2.T) * (z1 > 0)", "dz1 = dz2 @ W2.T")]),
        "transposed-dw": mutate(
            ref, "transposed-dw", [("return dW1, db1, dW2, db2", "return dW1.T, db1, dW2.T, db2")]
        ),
        "db-by-mean": mutate(ref, "db-by-mean", [(".sum(axis=0)\n", ".mean(axis=0)\n", 2)]),
        "unstable-softmax": mutate(
            ref, "unstable-softmax", [("shifted = z - z.max(axis=1, keepdims=True)", "shifted = z")]
        ),
    }
