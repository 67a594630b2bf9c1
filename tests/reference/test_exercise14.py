"""Exercise 14 reference: `unbroadcast` and the `Tensor` engine against central differences.

Each expression is written once, as a function of a backend `ops` and its inputs,
and run on plain numpy arrays (the forward oracle, differentiated numerically) and
on `Tensor`. Non-scalar outputs are reduced with random weights, `(out * w).sum()`,
so that every entry of the upstream gradient differs. `test_against_torch.py`
reuses the same expressions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from reference.exercise14 import Tensor, unbroadcast
from tests.reference.numeric import assert_close, numerical_grad

SEEDS = range(3)
_constants = np.random.default_rng(1414)
C34 = _constants.normal(size=(3, 4))
C4 = _constants.normal(size=(4,))


class NumpyOps:
    """Plain numpy: an evaluation that shares no code with the engine."""

    relu = staticmethod(lambda x: np.maximum(x, 0.0))
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sum = staticmethod(lambda x, axis=None, keepdims=False: np.sum(x, axis, keepdims=keepdims))
    const = staticmethod(lambda c: c)


class TensorOps:
    """The engine under test; constants stay ndarrays, so they meet Tensors on either side."""

    relu = staticmethod(Tensor.relu)
    exp = staticmethod(Tensor.exp)
    log = staticmethod(Tensor.log)
    sum = staticmethod(Tensor.sum)
    const = staticmethod(lambda c: c)


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    shapes: tuple[tuple[int, ...], ...]
    positive: bool = False  # entries in [0.5, 2] instead of +-[0.5, 2]

    def draw(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Entries away from 0, so no case sits on a ReLU kink or a log(0)."""
        arrays = []
        for shape in self.shapes:
            x = rng.uniform(0.5, 2.0, shape)
            if not self.positive:
                x *= rng.choice([-1.0, 1.0], shape)
            arrays.append(np.asarray(x, dtype=np.float64))
        return arrays


def mlp(ops, x, w1, b1, w2, b2):
    return ops.relu(x @ w1 + b1) @ w2 + b2


def log_softmax(ops, z):
    return z - ops.log(ops.sum(ops.exp(z), axis=1, keepdims=True))


def fan_out(ops, a, c):
    b = a * c  # a non-leaf, broadcast (3, 1) * (1, 4), used three times below
    return b * b + ops.sum(b, axis=0)


def half_squared_error(ops, x, w, y):
    d = x @ w - y
    return ops.sum(d * d) * 0.5


def case(name: str, fn: Callable, *shapes: tuple[int, ...], positive: bool = False) -> Case:
    return Case(name, fn, shapes, positive)


TENSOR_CASES = [
    case("add_same_shape", lambda ops, a, b: a + b, (3, 4), (3, 4)),
    case("add_row", lambda ops, a, b: a + b, (3, 4), (4,)),
    case("add_row_on_left", lambda ops, a, b: a + b, (4,), (3, 4)),
    case("mul_outer", lambda ops, a, b: a * b, (3, 1), (1, 4)),
    case("add_leading_and_size1", lambda ops, a, b: a + b, (2, 1, 3), (3,)),
    case("mul_3d_both_stretched", lambda ops, a, b: a * b, (2, 1, 3), (4, 1)),
    case("sub_column", lambda ops, a, b: a - b, (3, 4), (3, 1)),
    case("sub_leading_axes", lambda ops, a, b: a - b, (4,), (2, 3, 4)),
    case("scalar_tensor_plus_tensor", lambda ops, a, b: a + b, (), (3, 4)),
    case("tensor_times_scalar_tensor", lambda ops, a, b: a * b, (3, 4), ()),
    case("number_radd", lambda ops, a: 2.0 + a, (3, 4)),
    case("number_rsub", lambda ops, a: 2.0 - a, (3, 4)),
    case("number_rmul", lambda ops, a: 3.0 * a, (3, 4)),
    case("numbers_right", lambda ops, a: (a + 2.0) * 3.0 - 1.0, (3, 4)),
    case("neg", lambda ops, a: -a, (3, 4)),
    case("ndarray_left_add", lambda ops, a: ops.const(C34) + a, (4,)),
    case("ndarray_left_sub", lambda ops, a: ops.const(C34) - a, (3, 1)),
    case("ndarray_left_mul", lambda ops, a: ops.const(C34) * a, (3, 4)),
    case("ndarray_right", lambda ops, a: a * ops.const(C34) - ops.const(C4), (3, 1)),
    case("ndarray_left_matmul", lambda ops, a: ops.const(C34) @ a, (4, 2)),
    case("matmul", lambda ops, a, b: a @ b, (3, 4), (4, 5)),
    case("matmul_chain", lambda ops, a, b, c: (a @ b) @ c, (2, 3), (3, 4), (4, 2)),
    case("matmul_vectors", lambda ops, a, b: a @ b, (1, 4), (4, 1)),
    case("mlp", mlp, (5, 3), (3, 4), (4,), (4, 2), (2,)),
    case("relu", lambda ops, a: ops.relu(a), (3, 4)),
    case("exp", lambda ops, a: ops.exp(a), (3, 4)),
    case("log", lambda ops, a: ops.log(a), (3, 4), positive=True),
    case("sum_all", lambda ops, a: ops.sum(a), (2, 3, 4)),
    case("sum_all_keepdims", lambda ops, a: ops.sum(a, keepdims=True), (2, 3, 4)),
    case("sum_axis0", lambda ops, a: ops.sum(a, axis=0), (2, 3, 4)),
    case("sum_axis1_keepdims", lambda ops, a: ops.sum(a, axis=1, keepdims=True), (2, 3, 4)),
    case("sum_last_axis", lambda ops, a: ops.sum(a, axis=-1), (2, 3, 4)),
    case("sum_axes_tuple", lambda ops, a: ops.sum(a, axis=(0, 2)), (2, 3, 4)),
    case("sum_axes_keepdims", lambda ops, a: ops.sum(a, axis=(0, -1), keepdims=True), (2, 3, 4)),
    case("sum_of_scalar_tensor", lambda ops, a: ops.sum(a), ()),
    case("log_softmax", log_softmax, (3, 4)),
    case("square_by_mul", lambda ops, a: a * a, (3, 4)),
    case("double_by_add", lambda ops, a: a + a, (3, 4)),
    case("diamond", lambda ops, a: (a * 2.0) * (a + 1.0), (3, 4)),
    case("diamond_swapped", lambda ops, a: (a + 1.0) * (a * 2.0), (3, 4)),
    case("fan_out", fan_out, (3, 1), (1, 4)),
    case("half_squared_error", half_squared_error, (5, 3), (3, 1), (5, 1)),
]


def run_tensor(fn: Callable, arrays: list[np.ndarray], weights: np.ndarray):
    """The engine's output, the weighted loss and each input's grad."""
    leaves = [Tensor(x) for x in arrays]
    out = fn(TensorOps, *leaves)
    loss = (out * weights).sum()
    loss.backward()
    return out.data, loss.data, [leaf.grad for leaf in leaves]


def run_numpy(fn: Callable, arrays: list[np.ndarray], weights: np.ndarray):
    """The numpy output, the weighted loss and its central-difference gradients."""

    def loss_at(i: int, x: np.ndarray) -> float:
        return float((fn(NumpyOps, *arrays[:i], x, *arrays[i + 1 :]) * weights).sum())

    out = fn(NumpyOps, *arrays)
    grads = [numerical_grad(lambda x, i=i: loss_at(i, x), a.copy()) for i, a in enumerate(arrays)]
    return out, float((out * weights).sum()), grads


@pytest.mark.parametrize("case", TENSOR_CASES, ids=lambda c: c.name)
def test_tensor_matches_numpy_and_central_differences(case):
    rng = np.random.default_rng(14)
    for _ in SEEDS:
        arrays = case.draw(rng)
        weights = rng.normal(size=np.shape(case.fn(NumpyOps, *arrays)))
        out, loss, grads = run_tensor(case.fn, arrays, weights)
        expected_out, expected_loss, expected_grads = run_numpy(case.fn, arrays, weights)
        assert_close(out, expected_out, what=f"{case.name} forward")
        assert_close(loss, expected_loss, what=f"{case.name} loss")
        for i, (grad, expected, x) in enumerate(zip(grads, expected_grads, arrays, strict=True)):
            assert grad.shape == x.shape, f"{case.name}: grad of input {i} has shape {grad.shape}"
            assert grad.dtype == np.float64
            assert_close(grad, expected, what=f"{case.name} gradient of input {i}")


@pytest.mark.parametrize("case", TENSOR_CASES, ids=lambda c: c.name)
def test_grads_accumulate_across_backward_calls(case):
    # `=` instead of `+=` in any closure loses the first call's contribution.
    rng = np.random.default_rng(4)
    arrays = case.draw(rng)
    weights = rng.normal(size=np.shape(case.fn(NumpyOps, *arrays)))
    leaves = [Tensor(x) for x in arrays]
    (case.fn(TensorOps, *leaves) * weights).sum().backward()
    once = [leaf.grad.copy() for leaf in leaves]
    (case.fn(TensorOps, *leaves) * weights).sum().backward()
    for i, (leaf, grad) in enumerate(zip(leaves, once, strict=True)):
        assert_close(leaf.grad, 2 * grad, what=f"{case.name} input {i} after two backward calls")


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
