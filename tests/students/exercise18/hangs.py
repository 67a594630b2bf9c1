# Broken: backward walks the segments with a while loop and never moves to the previous one.
def checkpoint_sequential(blocks, x, segments):
    n = len(blocks)
    edges = [k * n // segments for k in range(segments + 1)]
    checkpoints = []
    for k in range(segments):
        checkpoints.append(x)
        for block in blocks[edges[k]:edges[k + 1]]:
            x = block.forward(x)[0]

    def backward(dy):
        k = segments - 1
        while k >= 0:
            h, caches = checkpoints[k], []
            for block in blocks[edges[k]:edges[k + 1]]:
                h, cache = block.forward(h)
                caches.append(cache)
            del cache
            for block in reversed(blocks[edges[k]:edges[k + 1]]):
                dy = block.backward(dy, caches.pop())
        return dy

    return x, backward
