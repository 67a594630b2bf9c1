# Mistake: only the network's input is kept, so backward recomputes each segment by running
# every block from the start again: the early blocks run once per segment.
def checkpoint_sequential(blocks, x, segments):
    n = len(blocks)
    edges = [k * n // segments for k in range(segments + 1)]
    x0, y = x, x
    for block in blocks:
        y = block.forward(y)[0]

    def backward(dy):
        for k in reversed(range(segments)):
            h = x0
            for block in blocks[:edges[k]]:
                h = block.forward(h)[0]
            caches = []
            for block in blocks[edges[k]:edges[k + 1]]:
                h, cache = block.forward(h)
                caches.append(cache)
            del cache
            for block in reversed(blocks[edges[k]:edges[k + 1]]):
                dy = block.backward(dy, caches.pop())
        return dy

    return y, backward
