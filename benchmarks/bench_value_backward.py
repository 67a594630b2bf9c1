"""Value.backward() on a graph of a million nodes: time, memory, no recursion error.

The graph is one long chain x <- tanh(x * a + b), so its depth equals its size:
a recursive topological sort would overflow long before the end. Shared leaves
a and b collect gradient from every link. The baseline is the forward pass that
builds the same graph in the same run; the ratio backward / forward is what to
compare across machines.

    python benchmarks/bench_value_backward.py [--nodes 1000000]
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import sys
import time
import tracemalloc

from reference.exercise12 import Value  # the package is installed editable: runs from anywhere

MB = 2**20


def maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports KiB


def build(links: int) -> tuple[Value, Value, Value, Value]:
    x, a, b = Value(0.3), Value(0.9), Value(0.05)
    y = x
    for _ in range(links):
        y = (y * a + b).tanh()  # three new nodes per link
    return y, x, a, b


def expected_grads(links: int) -> tuple[float, float]:
    """d y / d a and d y / d b by forward-mode recurrence in plain floats, as a check."""
    y, a, da, db = 0.3, 0.9, 0.0, 0.0
    for _ in range(links):
        y_next = math.tanh(y * a + 0.05)
        da, db = (1 - y_next**2) * (a * da + y), (1 - y_next**2) * (a * db + 1)
        y = y_next
    return da, db


def timed(links: int) -> tuple[float, float, tuple]:
    """Seconds to build the graph and to run backward once, and the graph itself."""
    start = time.perf_counter()
    y, x, a, b = build(links)
    t_forward = time.perf_counter() - start
    start = time.perf_counter()
    y.backward()
    return t_forward, time.perf_counter() - start, (y, x, a, b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10**6)
    args = parser.parse_args(argv)
    links = math.ceil((args.nodes - 3) / 3)
    nodes = 3 * links + 3
    print(f"graph: {nodes:,} nodes, depth {3 * links + 1:,} (recursion limit {sys.getrecursionlimit()})")

    # First without the cyclic GC: it rescans the growing graph and dominates the timings.
    rss0 = maxrss_bytes()
    gc.disable()
    try:
        t_fw, t_bw, (y, x, a, b) = timed(links)
        rss_done = maxrss_bytes()
        grads = (a.grad, b.grad)
        tracemalloc.start()  # a second pass isolates what backward itself allocates
        y.backward()
        _, bw_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        gc.enable()
    del y, x, a, b
    gc.collect()  # every node sits in a cycle through its _backward closure
    t_fw_gc, t_bw_gc, _ = timed(links)

    print(f"{'':22} {'forward build':>14} {'backward':>10} {'backward/forward':>17}")
    for name, fw, bw in [("gc disabled", t_fw, t_bw), ("gc enabled (default)", t_fw_gc, t_bw_gc)]:
        print(f"{name:22} {fw:12.3f} s {bw:8.3f} s {bw / fw:16.2f}x")
    print(
        f"per node (gc disabled): forward {t_fw / nodes * 1e9:.0f} ns, backward {t_bw / nodes * 1e9:.0f} ns"
    )
    print(f"maxrss: {rss0 / MB:.0f} MB at start, {rss_done / MB:.0f} MB after build + backward")
    print(f"graph + backward: {(rss_done - rss0) / nodes:.0f} B/node")
    print(f"backward's own peak (tracemalloc): {bw_peak / MB:.1f} MB ({bw_peak / nodes:.0f} B/node)")
    finite = all(map(math.isfinite, grads))
    ok = all(math.isclose(g, e, rel_tol=1e-9) for g, e in zip(grads, expected_grads(links), strict=True))
    print(f"grads of the shared leaves: a {grads[0]:.6g}, b {grads[1]:.6g} (finite: {finite})")
    print(f"equal to a float forward-mode recurrence (rel 1e-9): {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
