"""mlp_backward spins forever; mlp_forward, from the correct solution, still works."""


def mlp_backward(X, y, cache):
    while True:
        pass
