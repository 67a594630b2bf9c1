"""One SGD step of a two-layer MLP: the Tensor engine against hand-derived numpy.

The same step (forward, mean cross-entropy, backward, parameter update) runs
through reference/exercise14.py's Tensor and through exercise 11's mlp_forward /
mlp_backward. Both start from the same parameters; the script first checks that
they compute the same loss and gradients, then times each step several times and
prints the medians and the ratio Tensor / numpy (goal: at most 1.5x).

    python benchmarks/bench_mlp_step.py [--batch 128] [--dims 784 256 10] [--reps 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# One BLAS thread (unless the environment says otherwise): on a shared machine, thread
# scheduling noise would swamp the engine overhead this script is about.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from reference.exercise11 import mlp_backward, mlp_forward  # noqa: E402
from reference.exercise14 import Tensor  # noqa: E402

GOAL = 1.5


def numpy_step(X, y, params, lr):
    loss, cache = mlp_forward(X, y, *params)
    grads = mlp_backward(X, y, cache)
    for p, g in zip(params, grads, strict=True):
        p -= lr * g
    return loss, grads


def tensor_step(X, onehot, params, lr):
    """``params`` are Tensors that live across steps, as in a training loop."""
    W1, b1, W2, b2 = params
    for t in params:
        t.grad.fill(0.0)
    z2 = (X @ W1 + b1).relu() @ W2 + b2  # X stays an ndarray: a constant of the graph
    # Shifting each row by its max (a constant, outside the graph) keeps exp finite
    # and does not change the softmax, hence not the gradient either.
    shifted = z2 - z2.data.max(axis=1, keepdims=True)
    log_p = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    loss = (log_p * onehot).sum() * (-1.0 / len(X))
    loss.backward()
    for t in params:
        t.data -= lr * t.grad
    return float(loss.data), [t.grad.copy() for t in params]


def median_seconds(step, params, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        step(params)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--dims", type=int, nargs=3, default=[784, 256, 10], metavar=("D", "H", "K"))
    parser.add_argument("--reps", type=int, default=50, help="steps per timing round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best median counts")
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args(argv)
    (d, h, k), n = args.dims, args.batch

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(n, d)), rng.integers(0, k, size=n)
    onehot = np.eye(k)[y]
    init = [
        rng.normal(size=(d, h)) / np.sqrt(d),
        np.zeros(h),
        rng.normal(size=(h, k)) / np.sqrt(h),
        np.zeros(k),
    ]

    loss_np, grads_np = numpy_step(X, y, [p.copy() for p in init], args.lr)
    loss_t, grads_t = tensor_step(X, onehot, [Tensor(p) for p in init], args.lr)
    worst = max(float(np.max(np.abs(a - b))) for a, b in zip(grads_np, grads_t, strict=True))
    print(f"MLP {d}-{h}-{k}, batch {n}, {os.environ['OPENBLAS_NUM_THREADS']} BLAS thread(s)")
    print(f"loss numpy {loss_np:.6f}, Tensor {loss_t:.6f}; max |grad difference| {worst:.1e}")

    p_np, p_t = [p.copy() for p in init], [Tensor(p) for p in init]
    numpy_s, tensor_s = [], []
    for _ in range(args.rounds):  # interleave the two so that machine noise hits both alike
        numpy_s.append(median_seconds(lambda p: numpy_step(X, y, p, args.lr), p_np, args.reps))
        tensor_s.append(median_seconds(lambda p: tensor_step(X, onehot, p, args.lr), p_t, args.reps))
    t_np, t_t = min(numpy_s), min(tensor_s)
    ratio = t_t / t_np
    timing = f"median of {args.reps} steps, best of {args.rounds} rounds"
    print(f"numpy mlp_forward/backward: {t_np * 1e3:7.3f} ms per step ({timing})")
    print(f"Tensor engine:              {t_t * 1e3:7.3f} ms per step")
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"ratio Tensor / numpy:       {ratio:7.2f}x (goal <= {GOAL}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
