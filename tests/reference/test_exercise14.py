"""Exercise 14 reference: `unbroadcast` and the `Tensor` engine against central differences.

The expressions are the probes' (`grader.probes.exercise14`), written once, and a few more:
each runs on `Tensor` and on plain numpy (the forward oracle, differentiated numerically),
at the probe's own point and at random ones. Outputs are reduced with random weights,
`(out * w).sum()`, so that every entry of the upstream gradient differs.
`test_against_torch.py` reuses the same expressions.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from grader.probes.engines import Expression
from grader.probes.exercise14 import ACCUMULATION, BROADCASTING, C34, EXPRESSIONS, OPERATORS
from reference.exercise14 import Tensor, unbroadcast
from tests.reference.numeric import assert_close, forward, numerical_grad, oracle, points

#: Random points per expression, besides the probe's own.
DRAWS = 3
_entries = np.random.default_rng(1415)
C4 = _entries.normal(size=4)


def entries(*shape: int) -> np.ndarray:
    """Where an extra expression is evaluated first: entries of either sign, away from 0."""
    return _entries.uniform(0.5, 2.0, shape) * _entries.choice([-1.0, 1.0], shape)


#: Expressions the probes do without: other operand orders and shapes, keepdims, chains.
EXTRA = {
    "__add__ (4,) + (3, 4)": Expression(lambda a, b: a + b, {"a": entries(4), "b": entries(3, 4)}),
    "__sub__ (4,) - (2, 3, 4)": Expression(lambda a, b: a - b, {"a": entries(4), "b": entries(2, 3, 4)}),
    "__mul__ (3, 4) * ()": Expression(lambda a, b: a * b, {"a": entries(3, 4), "b": entries()}),
    "numbers on the right ((t + 2) * 3 - 1)": Expression(
        lambda t: (t + 2.0) * 3.0 - 1.0, {"t": entries(3, 4)}
    ),
    "__rmul__ (ndarray (3, 4) * t (3, 4))": Expression(lambda t: C34 * t, {"t": entries(3, 4)}),
    "ndarrays on the right (t (3, 1) * ndarray (3, 4) - ndarray (4,))": Expression(
        lambda t: t * C34 - C4, {"t": entries(3, 1)}
    ),
    "__matmul__ chain ((2, 3) @ (3, 4)) @ (4, 2)": Expression(
        lambda a, b, c: (a @ b) @ c, {"a": entries(2, 3), "b": entries(3, 4), "c": entries(4, 2)}
    ),
    "__matmul__ (1, 4) @ (4, 1)": Expression(lambda a, b: a @ b, {"a": entries(1, 4), "b": entries(4, 1)}),
    "sum(keepdims=True)": Expression(lambda t: t.sum(keepdims=True), {"t": entries(2, 3, 4)}),
    "sum(axis=(0, -1), keepdims=True)": Expression(
        lambda t: t.sum(axis=(0, -1), keepdims=True), {"t": entries(2, 3, 4)}
    ),
    "sum() of a scalar tensor": Expression(lambda t: t.sum(), {"t": entries()}),
    "diamond, factors swapped (t + 1) * (t * 2)": Expression(
        lambda t: (t + 1.0) * (t * 2.0), {"t": entries(3, 4)}
    ),
}
CASES = {**OPERATORS, **BROADCASTING, **ACCUMULATION, **EXPRESSIONS, **EXTRA}


def weights_for(expression: Expression, point: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Random weights of the loss sum(weights * out), one per entry of the output."""
    return rng.normal(size=forward(expression, point).shape)


def run_tensor(
    expression: Expression, point: Sequence[Any], weights: np.ndarray
) -> tuple[np.ndarray, float, list[np.ndarray]]:
    """The engine's output, the weighted loss and each input's grad."""
    leaves = [Tensor(x) for x in point]
    out = expression.build(*leaves)
    loss = (out * weights).sum()
    loss.backward()
    return out.data, loss.data, [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("name", CASES)
def test_tensor_matches_numpy_and_central_differences(name):
    expression, rng = CASES[name], np.random.default_rng(14)
    for point in points(expression, rng, DRAWS):
        weights = weights_for(expression, point, rng)
        out, loss, grads = run_tensor(expression, point, weights)
        expected_out, expected_grads = oracle(expression, point, weights)
        assert_close(out, expected_out, what=f"{name} forward")
        assert_close(loss, np.sum(weights * expected_out), what=f"{name} loss")
        for i, (grad, expected, x) in enumerate(zip(grads, expected_grads, point, strict=True)):
            assert grad.shape == x.shape, f"{name}: grad of input {i} has shape {grad.shape}"
            assert grad.dtype == np.float64
            assert_close(grad, expected, what=f"{name} gradient of input {i}")


@pytest.mark.parametrize("name", CASES)
def test_grads_accumulate_across_backward_calls(name):
    # `=` instead of `+=` in any closure loses the first call's contribution.
    expression = CASES[name]
    point = [np.asarray(x, dtype=np.float64) for x in expression.at.values()]
    weights = weights_for(expression, point, np.random.default_rng(4))
    leaves = [Tensor(x) for x in point]
    (expression.build(*leaves) * weights).sum().backward()
    once = [leaf.grad.copy() for leaf in leaves]
    (expression.build(*leaves) * weights).sum().backward()
    for i, (leaf, grad) in enumerate(zip(leaves, once, strict=True)):
        assert_close(leaf.grad, 2 * grad, what=f"{name} input {i} after two backward calls")


def test_a_new_tensor_owns_float64_data_and_zero_grad():
    source = np.array([1, 2, 3])
    t = Tensor(source)
    source[0] = 100
    assert t.data.dtype == np.float64 and t.data.tolist() == [1.0, 2.0, 3.0]
    assert t.grad.dtype == np.float64 and t.grad.tolist() == [0.0, 0.0, 0.0]
    assert Tensor(2.5).data.shape == () == Tensor(2.5).grad.shape
    assert repr(Tensor([1.0, 2.0])) == "Tensor(shape=(2,), data=[1., 2.], grad=[0., 0.])"


def test_backward_seeds_ones_of_the_root_shape():
    a, b = Tensor([[1.0], [2.0], [3.0]]), Tensor([[1.0, -2.0, 4.0, 0.5]])
    out = a * b
    out.backward()
    assert out.grad.tolist() == np.ones((3, 4)).tolist()
    assert a.grad.tolist() == [[3.5], [3.5], [3.5]]  # sum of b over the broadcast axis
    assert b.grad.tolist() == [[6.0, 6.0, 6.0, 6.0]]


@pytest.mark.parametrize(
    "left",
    [np.ones((3, 4)), np.ones(4), np.float64(2.0), 2, 2.0],
    ids=["ndarray", "ndarray_row", "numpy_scalar", "int", "float"],
)
@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_anything_on_the_left_gives_a_tensor(left, op):
    t = Tensor(np.full((3, 4), 3.0))
    result = {"+": lambda: left + t, "-": lambda: left - t, "*": lambda: left * t}[op]()
    assert isinstance(result, Tensor)
    result.backward()
    assert t.grad.shape == (3, 4)


def test_ndarray_at_tensor_gives_a_tensor():
    w = Tensor(np.ones((4, 2)))
    out = np.ones((3, 4)) @ w
    assert isinstance(out, Tensor) and out.data.shape == (3, 2)


def test_matmul_needs_2d_operands():
    with pytest.raises(ValueError, match="2-D"):
        Tensor(np.ones(3)) @ Tensor(np.ones((3, 2)))


def test_diamond_accumulates_both_paths():
    a = Tensor([1.0, 2.0])
    d = (a * 2.0) * (a + 1.0)  # 2a(a + 1): gradient 4a + 2
    d.sum().backward()
    assert a.grad.tolist() == [6.0, 10.0]


def test_backward_on_a_deep_chain():
    assert sys.getrecursionlimit() < 20_000  # a recursive topological sort would fail
    x = Tensor(np.ones(2))
    y = x
    for _ in range(20_000):
        y = y + x
    y.sum().backward()
    assert x.grad.tolist() == [20_001.0, 20_001.0]


@pytest.mark.parametrize(
    ("grad_shape", "shape", "fill"),
    [
        ((2, 3, 4), (3, 1), 8.0),
        ((3, 4), (), 12.0),
        ((3, 4), (4,), 3.0),
        ((3, 4), (3, 1), 4.0),
        ((3, 4), (1, 4), 3.0),
        ((3, 4), (1, 1), 12.0),
        ((2, 3, 4), (1, 3, 1), 8.0),
        ((2, 3, 4), (2, 3, 4), 1.0),
        ((), (), 1.0),
    ],
)
def test_unbroadcast_examples(grad_shape, shape, fill):
    got = unbroadcast(np.ones(grad_shape), shape)
    assert got.shape == shape and got.dtype == np.float64
    assert_close(got, np.full(shape, fill))


def random_broadcast(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A shape and a shape it broadcasts to (leading axes added, size-1 axes stretched)."""
    shape = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(0, 4)))
    stretched = tuple(int(rng.integers(1, 4)) if n == 1 else n for n in shape)
    leading = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(0, 3)))
    return shape, leading + stretched


def test_unbroadcast_is_the_adjoint_of_broadcasting():
    # d/dx sum(g * broadcast_to(x, big)) is exactly what unbroadcast(g, x.shape) must return.
    rng = np.random.default_rng(141)
    for _ in range(60):
        shape, big = random_broadcast(rng)
        g, x = rng.normal(size=big), rng.normal(size=shape)
        got = unbroadcast(g, list(shape))  # any sequence of ints will do
        assert got.shape == shape, f"{big} -> {shape} gave {got.shape}"
        expected = numerical_grad(lambda x, g=g, big=big: (g * np.broadcast_to(x, big)).sum(), x)
        assert_close(got, expected, what=f"unbroadcast {big} -> {shape}")
