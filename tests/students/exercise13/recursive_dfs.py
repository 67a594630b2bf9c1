# Classic mistake: the textbook recursive depth-first search, which stops at Python's
# recursion limit on a deep graph.


def topological_order(root):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for child in node._prev:
            visit(child)
        order.append(node)

    visit(root)
    return order


def backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()
