# Classic mistake: backward() walks the topological order forwards (inputs first), so a
# node passes its gradient on before the nodes that use it have added to it.


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
    for node in topological_order(root):
        node._backward()
