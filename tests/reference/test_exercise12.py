"""Exercise 12 reference: the scalar `Value` engine against float64 central differences.

Each expression is written once, as a function of a backend `ops` and its inputs,
and run on plain Python floats (the forward oracle, differentiated numerically)
and on `Value` (the engine under test). `test_against_torch.py` reuses them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from reference.exercise12 import Value
from tests.reference.numeric import assert_close, numerical_grad

SEEDS = range(5)


class FloatOps:
    """Plain floats: an evaluation that shares no code with the engine."""

    leaf = float
    relu = staticmethod(lambda x: max(x, 0.0))
    tanh = staticmethod(math.tanh)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)


class ValueOps:
    """The engine under test."""

    leaf = Value
    relu = staticmethod(Value.relu)
    tanh = staticmethod(Value.tanh)
    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    arity: int
    positive: bool = False  # inputs in [0.5, 2] instead of +-[0.5, 2]

    def draw(self, rng: np.random.Generator) -> list[float]:
        """Inputs away from 0, so no case sits on a kink, a pole or a log(0)."""
        x = rng.uniform(0.5, 2.0, self.arity)
        if not self.positive:
            x *= rng.choice([-1.0, 1.0], self.arity)
        return [float(v) for v in x]


def fan_out(ops, a):
    b = a * 3.0  # a non-leaf used three times below
    return b * b + b


def neuron(ops, x1, x2, w1, w2, b):
    return ops.tanh(x1 * w1 + x2 * w2 + b)


def micrograd_sanity(ops, x):
    """micrograd's test_sanity_check expression."""
    z = 2 * x + 2 + x
    q = ops.relu(z) + z * x
    h = ops.relu(z * z)
    return h + q + q * x


def micrograd_more_ops(ops, a, b):
    """micrograd's test_more_ops expression (in-place `+=` rebinds, as in the original)."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + ops.relu(b + a)
    d += 3 * d + ops.relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


SCALAR_CASES = [
    Case("add", lambda ops, a, b: a + b, 2),
    Case("sub", lambda ops, a, b: a - b, 2),
    Case("mul", lambda ops, a, b: a * b, 2),
    Case("div", lambda ops, a, b: a / b, 2),
    Case("pow_int", lambda ops, a: a**3, 1),
    Case("pow_negative", lambda ops, a: a**-2, 1),
    Case("pow_fraction", lambda ops, a: a**2.5, 1, positive=True),
    Case("pow_sqrt", lambda ops, a: a**0.5, 1, positive=True),
    Case("neg", lambda ops, a: -a, 1),
    Case("radd", lambda ops, a: 2 + a, 1),
    Case("rsub", lambda ops, a: 2 - a, 1),
    Case("rmul", lambda ops, a: 2 * a, 1),
    Case("rdiv", lambda ops, a: 2 / a, 1),
    Case("numbers_right", lambda ops, a: (a + 2) * 3 / 4 - 1.5, 1),
    Case("relu", lambda ops, a: ops.relu(a), 1),
    Case("tanh", lambda ops, a: ops.tanh(a), 1),
    Case("exp", lambda ops, a: ops.exp(a), 1),
    Case("log", lambda ops, a: ops.log(a), 1, positive=True),
    Case("square_by_mul", lambda ops, a: a * a, 1),
    Case("double_by_add", lambda ops, a: a + a, 1),
    Case("diamond", lambda ops, a: (a * 2) * (a + 1), 1),
    Case("diamond_swapped", lambda ops, a: (a + 1) * (a * 2), 1),
    Case("fan_out", fan_out, 1),
    Case("worked_example", lambda ops, a, b, c: (a * b + c) ** 2, 3),
    Case("neuron", neuron, 5),
    Case("micrograd_sanity", micrograd_sanity, 1),
    Case("softplus_ratio", lambda ops, a, b: ops.log(1 + ops.exp(a)) / (b * b + 1), 2),
]


def run_value(fn: Callable, xs: list[float]) -> tuple[float, list[float]]:
    """Forward and backward through the engine: the root's data and each input's grad."""
    leaves = [Value(x) for x in xs]
    out = fn(ValueOps, *leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def run_floats(fn: Callable, xs: list[float]) -> tuple[float, np.ndarray]:
    """Forward on plain floats, gradient by central differences."""

    def f(x: np.ndarray) -> float:
        return fn(FloatOps, *map(float, x))

    return f(np.array(xs)), numerical_grad(f, np.array(xs))


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: c.name)
def test_value_matches_floats_and_central_differences(case):
    rng = np.random.default_rng(12)
    for _ in SEEDS:
        xs = case.draw(rng)
        value, grads = run_value(case.fn, xs)
        expected_value, expected_grads = run_floats(case.fn, xs)
        assert isinstance(value, float)
        assert all(isinstance(g, float) for g in grads)
        assert_close(value, expected_value, what=f"{case.name} forward at {xs}")
        assert_close(grads, expected_grads, what=f"{case.name} gradients at {xs}")


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: c.name)
def test_grads_accumulate_across_backward_calls(case):
    # `=` instead of `+=` in any closure loses the first call's contribution.
    leaves = [Value(x) for x in case.draw(np.random.default_rng(4))]
    case.fn(ValueOps, *leaves).backward()
    once = [leaf.grad for leaf in leaves]
    case.fn(ValueOps, *leaves).backward()
    assert_close([leaf.grad for leaf in leaves], [2 * g for g in once], what=case.name)


def test_worked_example():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    loss = (a * b + c) ** 2
    loss.backward()
    assert (loss.data, a.grad, b.grad, c.grad) == (16.0, -24.0, 16.0, 8.0)


def test_micrograd_reference_values():
    # The values micrograd's own tests obtain from PyTorch.
    x = Value(-4.0)
    y = micrograd_sanity(ValueOps, x)
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)

    a, b = Value(-4.0), Value(2.0)
    g = micrograd_more_ops(ValueOps, a, b)
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-6)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-6)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-6)
    _, expected = run_floats(micrograd_more_ops, [-4.0, 2.0])
    assert_close([a.grad, b.grad], expected, what="micrograd_more_ops gradients")


def test_a_new_value_is_a_float_leaf_with_zero_grad():
    v = Value(3)
    assert isinstance(v.data, float) and v.data == 3.0
    assert isinstance(v.grad, float) and v.grad == 0.0
    assert len(v._prev) == 0
    assert repr(v) == "Value(data=3.0, grad=0.0)"


def test_operations_record_their_operands():
    a, b = Value(1.0), Value(2.0)
    out = a * b
    assert set(map(id, out._prev)) == {id(a), id(b)}
    assert out._op == "*"
    assert all(isinstance(r, Value) for r in (a + 1, 1 + a, 1 - a, 1 * a, 1 / a, a**2, -a))


RELU_POINTS = [(-3.0, 0.0, 0.0), (3.0, 3.0, 1.0), (0.0, 0.0, 0.0)]


@pytest.mark.parametrize(("x", "data", "grad"), RELU_POINTS, ids=["negative", "positive", "zero"])
def test_relu_on_both_sides_of_zero(x, data, grad):
    a = Value(x)
    out = a.relu()
    out.backward()
    assert (out.data, a.grad) == (data, grad)


@pytest.mark.parametrize(
    ("build", "x", "expected"),
    [
        (lambda a: a * a, 3.0, 6.0),
        (lambda a: a + a, 3.0, 2.0),
        (lambda a: (a * 2) * (a + 1), 3.0, 14.0),  # d = 2a(a + 1): 4a + 2
        (lambda a: fan_out(ValueOps, a), 2.0, 39.0),  # b = 3a: (2b + 1) * 3
    ],
    ids=["x*x", "x+x", "diamond", "non_leaf_fan_out"],
)
def test_gradients_accumulate_over_every_path(build, x, expected):
    a = Value(x)
    build(a).backward()
    assert a.grad == expected


def test_backward_sets_the_root_grad_to_one():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0
    out = a * 2
    out.backward()
    assert (out.grad, a.grad) == (1.0, 3.0)  # a's grad accumulates across the two calls


def test_exponent_must_be_a_number():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_backward_on_a_chain_100000_deep():
    assert sys.getrecursionlimit() < 100_000  # a recursive topological sort would fail
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert y.data == 0.5 * 100_001
    assert x.grad == 100_001.0
