# Indexes `_prev` as if it were always a tuple: raises TypeError when it is a set.


def topological_order(root):
    order = []
    seen = {id(root)}
    stack = [(root, 0)]
    while stack:
        node, next_input = stack.pop()
        if next_input < len(node._prev):
            stack.append((node, next_input + 1))
            child = node._prev[next_input]
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
        else:
            order.append(node)
    return order


def backward(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()
