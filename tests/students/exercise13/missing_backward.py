# backward is missing.


def topological_order(root):
    order = []
    seen = {id(root)}
    stack = [(root, iter(tuple(root._prev)))]
    while stack:
        node, inputs = stack[-1]
        for child in inputs:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(tuple(child._prev))))
                break
        else:
            stack.pop()
            order.append(node)
    return order
