"""Gradient checkpointing in PyTorch: activation memory O(L) versus O(sqrt L).

A stack of L blocks (Linear + Tanh) runs one forward + backward pass twice: with
plain autograd, and with ``torch.utils.checkpoint`` (``use_reentrant=False``) around
S = round(sqrt(L)) segments whose sizes differ by at most one, as in exercise 18.

Memory is measured with ``torch.autograd.graph.saved_tensors_hooks``: every tensor
autograd saves for backward passes through our pack hook. ``packed`` sums their
nbytes; ``held`` is the bytes of distinct storages the graph still holds after the
forward pass; ``peak`` is the most held at any time, adding during the backward
pass the segment that checkpointing recomputes (checkpoint's own hooks hold those
tensors, so we add up the block outputs the recomputation produces). Compute is
measured by counting block forwards and timing forward + backward in CPU time (which
other programs on the machine disturb less than wall time; the best of a few
repetitions, the two modes alternated).

Checkpointing runs every block's forward twice; a backward costs about two forwards
(two matmuls to one), so it costs about 4/3 of the compute. That shows only where the
matmuls dominate: each call also has a fixed cost (Python, dispatch, allocation,
checkpoint's bookkeeping) that does not shrink with the layer, so tiny layers cost more
(1.6-1.9x at width 256, batch 64). The defaults (width 1024, batch 256) are large
enough for the 4/3 to show and run in under 20 s on one laptop core.

    python -m reference.checkpointing_demo [--depths 4 16 64] [--width 1024] [--out checkpointing.png]

Needs the optional extra: pip install -e '.[torch]'.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

# torch is optional and slow to import: look for it now, import it where it is used.
HAVE_TORCH = importlib.util.find_spec("torch") is not None

MB = 2**20
#: Timing: shallow stacks are repeated until this many seconds were timed, at most MAX_REPS times.
MIN_SECONDS, MAX_REPS = 1.0, 20
#: Sizes where the matmuls dominate, so the measured overhead is the chapter's 4/3.
WIDTH, BATCH = 1024, 256
EXPECTED = (
    "expected overhead: every block runs forward twice (forwards column) and a backward costs\n"
    "  about two forwards (two matmuls to one): (1 + 1 + 2) / (1 + 2) = 1.33x the compute"
)
SMALL_LAYERS = (
    "smaller layers cost more: every call also has a fixed cost (Python, dispatch, allocation,\n"
    "  checkpoint's bookkeeping) that does not shrink with the layer, and on tiny matmuls it\n"
    "  dominates (width 256, batch 64: 1.6-1.9x; try --width 256 --batch 64)"
)


class _Held:
    """What the pack hook stores: its death tells us the graph let go of the tensor."""

    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor):
        self.tensor = tensor


class SavedTensorMeter:
    """Bytes of activations autograd saves for backward, seen through saved-tensor hooks."""

    def __init__(self, params):
        self.params = {p.untyped_storage().data_ptr() for p in params}
        self.packed = self.alive = self.peak = 0
        self._refs: Counter[int] = Counter()  # a storage saved twice is held once

    def pack(self, t):
        key = t.untyped_storage().data_ptr()
        if key in self.params:  # weights are saved too, but they are not activations
            return t
        self.packed += t.nbytes
        if self._refs[key] == 0:
            self.alive += t.untyped_storage().nbytes()
            self.peak = max(self.peak, self.alive)
        self._refs[key] += 1
        held = _Held(t)
        weakref.finalize(held, self._release, key, t.untyped_storage().nbytes())
        return held

    def unpack(self, held):
        return held.tensor if isinstance(held, _Held) else held

    def _release(self, key: int, nbytes: int) -> None:
        self._refs[key] -= 1
        if self._refs[key] == 0:
            self.alive -= nbytes

    def __repr__(self) -> str:
        return f"SavedTensorMeter(packed={self.packed}, alive={self.alive}, peak={self.peak})"


@dataclass
class Run:
    depth: int
    segments: int  # 0 = plain autograd
    packed: int
    held: int
    peak: int
    forwards: int
    seconds: float


def make_blocks(depth: int, width: int):
    import torch

    torch.manual_seed(0)
    return [torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.Tanh()) for _ in range(depth)]


def one_step(blocks, x, dy, segments: int, meter: SavedTensorMeter, counts: Counter) -> int:
    """Forward + backward (checkpointed if ``segments`` > 0); returns the bytes held in between."""
    import torch
    from torch.utils.checkpoint import checkpoint

    in_backward = False

    def run_segment(h, part):
        recomputed = 0
        for block in part:
            counts[id(block)] += 1
            h = block(h)
            recomputed += h.nbytes
        if in_backward:  # checkpoint's recomputation: these outputs live until consumed
            meter.peak = max(meter.peak, meter.alive + recomputed)
        return h

    h = x
    with torch.autograd.graph.saved_tensors_hooks(meter.pack, meter.unpack):
        if segments == 0:
            h = run_segment(h, blocks)
        else:
            edges = [k * len(blocks) // segments for k in range(segments + 1)]
            for start, stop in pairwise(edges):
                # early_stop=False: let the recomputation reach our accounting after the loop
                h = checkpoint(run_segment, h, blocks[start:stop], use_reentrant=False, early_stop=False)
    held = meter.alive
    in_backward = True
    h.backward(dy)
    return held


def measure(depth: int, segments: int, width: int, batch: int, reps: int) -> tuple[Run, Run]:
    """Plain and checkpointed steps on the same blocks.

    A first step of each measures memory and forwards, compares the gradients and warms up;
    then timed steps alternate the two modes so that noise hits both alike. The best of at
    least `reps` counts; shallow stacks, whose steps take milliseconds, are repeated until
    MIN_SECONDS were timed (at most MAX_REPS times).
    """
    import torch

    blocks = make_blocks(depth, width)
    params = [p for b in blocks for p in b.parameters()]
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(batch, width, generator=gen)
    dy = torch.randn(batch, width, generator=gen)

    def step(mode: int) -> tuple[float, tuple[int, int, int, int]]:
        for p in params:
            p.grad = None
        meter, counts = SavedTensorMeter(params), Counter()
        start = time.process_time()
        held = one_step(blocks, x, dy, mode, meter, counts)
        return time.process_time() - start, (meter.packed, held, meter.peak, sum(counts.values()))

    _, plain = step(0)
    plain_grads = [p.grad for p in params]
    _, ckpt = step(segments)
    for a, p in zip(plain_grads, params, strict=True):
        torch.testing.assert_close(a, p.grad)
    del plain_grads  # large layers' gradients are big
    times: dict[int, list[float]] = {0: [], segments: []}
    while len(times[0]) < reps or (sum(map(sum, times.values())) < MIN_SECONDS and len(times[0]) < MAX_REPS):
        for mode, spent in times.items():
            spent.append(step(mode)[0])
    return Run(depth, 0, *plain, min(times[0])), Run(depth, segments, *ckpt, min(times[segments]))


def compare(depths, width: int = WIDTH, batch: int = BATCH, reps: int = 3) -> list[tuple[Run, Run]]:
    """(plain, checkpointed) runs for each depth, S = round(sqrt(L)); the gradients must agree."""
    return [measure(d, max(1, round(math.sqrt(d))), width, batch, reps) for d in depths]


def format_table(rows: list[tuple[Run, Run]]) -> str:
    head = (
        f"{'L':>4} {'S':>3} | {'plain packed':>12} {'held':>7} {'peak':>7} | "
        f"{'ckpt packed':>11} {'held':>7} {'peak':>7} | {'forwards':>9} | "
        f"{'plain ms':>8} {'ckpt ms':>8} {'overhead':>8}"
    )
    lines = [head, "-" * len(head)]
    for p, c in rows:
        lines.append(
            f"{p.depth:>4} {c.segments:>3} | {p.packed / MB:>9.2f} MB {p.held / MB:>7.2f} "
            f"{p.peak / MB:>7.2f} | {c.packed / MB:>8.2f} MB {c.held / MB:>7.2f} "
            f"{c.peak / MB:>7.2f} | {p.forwards:>4}/{c.forwards:<4} | "
            f"{p.seconds * 1e3:>8.2f} {c.seconds * 1e3:>8.2f} {c.seconds / p.seconds:>7.2f}x"
        )
    return "\n".join(lines)


def plot(rows: list[tuple[Run, Run]], out: Path) -> Path:
    """Peak saved-activation MB against depth; PNG via matplotlib, else a hand-written SVG."""
    depths = [p.depth for p, _ in rows]
    series = {"plain": [p.peak / MB for p, _ in rows], "checkpointed": [c.peak / MB for _, c in rows]}
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        out = out.with_suffix(".svg")
        out.write_text(_svg(depths, series))
        return out
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name, values in series.items():
        ax.plot(depths, values, marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.minorticks_off()
    ax.set_xticks(depths, [str(d) for d in depths])
    ax.yaxis.set_major_formatter("{x:g}")
    ax.set(xlabel="depth L", ylabel="peak saved activations (MB)", title="O(L) vs O(sqrt L)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def _svg(depths: list[int], series: dict[str, list[float]]) -> str:
    w, h, pad = 480, 320, 50
    top = max(max(v) for v in series.values()) or 1.0
    lo, hi = math.log(min(depths)), math.log(max(depths))

    def xy(d: int, v: float) -> str:
        x = pad + (w - 2 * pad) * (math.log(d) - lo) / ((hi - lo) or 1.0)
        return f"{x:.1f},{h - pad - (h - 2 * pad) * v / top:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">']
    parts.append(f'<text x="{pad}" y="20">peak saved activations (MB, max {top:.2f})</text>')
    parts.append(f'<path d="M{pad},{pad} V{h - pad} H{w - pad}" fill="none" stroke="black"/>')
    for i, (name, values) in enumerate(series.items()):
        colour = ("#1f77b4", "#ff7f0e")[i % 2]
        points = " ".join(xy(d, v) for d, v in zip(depths, values, strict=True))
        parts.append(f'<polyline fill="none" stroke="{colour}" points="{points}"/>')
        parts.append(f'<text x="{w - 150}" y="{40 + 16 * i}" fill="{colour}">{name}</text>')
    for d in depths:
        parts.append(f'<text x="{xy(d, 0).split(",")[0]}" y="{h - pad + 16}">{d}</text>')
    parts.append(f'<text x="{w // 2}" y="{h - 10}">depth L</text></svg>')
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[4, 16, 64])
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--reps", type=int, default=3, help="fewest timed repetitions (the best counts)")
    parser.add_argument("--out", type=Path, default=None, help="plot path (.png or .svg)")
    args = parser.parse_args(argv)
    if not HAVE_TORCH:
        print("checkpointing_demo needs torch: pip install -e '.[torch]'. Nothing to do.")
        return 0
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # steadier timings; the demo is about ratios
    try:
        rows = compare(args.depths, args.width, args.batch, args.reps)
    finally:
        torch.set_num_threads(threads)
    print(f"width {args.width}, batch {args.batch}, float32; S = round(sqrt(L)) segments")
    print(format_table(rows))
    print("packed: bytes through the pack hook; held: after forward; peak: most held at any time,")
    print("  counting the segment checkpointing recomputes during backward")
    print("ms: CPU time of one forward + backward, the best of several")
    print("gradients: checkpointed == plain (torch.testing.assert_close)")
    print(EXPECTED)
    print(SMALL_LAYERS)
    out = args.out
    if out is None:
        try:
            import matplotlib  # noqa: F401

            out = Path("checkpointing.png")
        except ImportError:
            out = Path("checkpointing.svg")
    print(f"plot: {plot(rows, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
