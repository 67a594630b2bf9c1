# A correct exercise 13 written without looking at the reference: a depth-first search
# that keeps, for every node on its stack, an iterator over the inputs still to visit.


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


def backward(root):
    root.grad = 1.0
    order = topological_order(root)
    for i in range(len(order) - 1, -1, -1):
        order[i]._backward()
