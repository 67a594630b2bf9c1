# topological_order is right, but backward walks its own order, and that walk marks the
# root as seen before it starts, then skips every node it has seen: the root first. The
# root's grad is set, but no _backward is ever called.


def topological_order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_listed = stack.pop()
        if inputs_listed:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order


def backward(root):
    root.grad = 1.0
    seen, stack, order = {id(root)}, [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(node._prev)
    for node in order:
        node._backward()
