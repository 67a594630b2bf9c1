# A correct exercise 18 written from the idea, not the reference: segment boundaries from
# divmod, checkpoints in a dict keyed by the segment's first block, a stack of caches.
import numpy as np


def _boundaries(n_blocks, segments):
    segments = max(1, min(segments, n_blocks))
    base, extra = divmod(n_blocks, segments)
    starts, start = [], 0
    for k in range(segments):
        starts.append(start)
        start += base + (1 if k < extra else 0)
    return starts + [n_blocks]


def checkpoint_sequential(blocks, x, segments):
    blocks = list(blocks)
    edges = _boundaries(len(blocks), segments)
    saved = {}
    h = np.asarray(x, dtype=float)
    for lo, hi in zip(edges[:-1], edges[1:]):
        saved[lo] = h
        for i in range(lo, hi):
            h, _ = blocks[i].forward(h)

    def backward(dy):
        for lo, hi in reversed(list(zip(edges[:-1], edges[1:]))):
            stack, a = [], saved[lo]
            for i in range(lo, hi):
                a, c = blocks[i].forward(a)
                stack.append((blocks[i], c))
            c = None
            while stack:
                block, c = stack.pop()
                dy = block.backward(dy, c)
                c = None
        return dy

    return h, backward
