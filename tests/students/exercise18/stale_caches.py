# Classic mistake: the checkpoint is saved after each segment (its output), so backward
# recomputes every segment's caches from the wrong activation.
def checkpoint_sequential(blocks, x, segments):
    n = len(blocks)
    edges = [k * n // segments for k in range(segments + 1)]
    checkpoints = []
    for k in range(segments):
        for block in blocks[edges[k]:edges[k + 1]]:
            x = block.forward(x)[0]
        checkpoints.append(x)

    def backward(dy):
        for k in reversed(range(segments)):
            h, caches = checkpoints[k], []
            for block in blocks[edges[k]:edges[k + 1]]:
                h, cache = block.forward(h)
                caches.append(cache)
            del cache
            for block in reversed(blocks[edges[k]:edges[k + 1]]):
                dy = block.backward(dy, caches.pop())
        return dy

    return x, backward
