# Classic mistake: no record of visited nodes, so a node reached along two paths is
# listed twice and its _backward runs twice.


def topological_order(root):
    order = []
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        else:
            stack.append((node, True))
            for child in node._prev:
                stack.append((child, False))
    return order


def backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()
