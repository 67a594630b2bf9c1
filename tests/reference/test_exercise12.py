"""Exercise 12 reference: the scalar `Value` engine against float64 central differences.

The expressions are the probes' (`grader.probes.exercise12`), written once: each runs on
`Value` (the engine under test) and on plain numpy (the forward oracle, differentiated
numerically), at the probe's own point and at random ones. `test_exercise13.py` and
`test_against_torch.py` reuse them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from grader.probes.engines import Expression
from grader.probes.exercise12 import ACCUMULATION, EXPRESSIONS, MORE_OPS, OPERATORS
from reference.exercise12 import Value
from tests.reference.numeric import assert_close, oracle, points

#: Random points per expression, besides the probe's own.
DRAWS = 5
#: The loss of a scalar engine is its output: sum(1 * out).
ONE = np.ones(())
#: Expressions the probes do without.
EXTRA = {
    "diamond, factors swapped (x + 1) * (x * 2)": Expression(lambda x: (x + 1) * (x * 2), {"x": 1.5}),
}
CASES = {**OPERATORS, **ACCUMULATION, **EXPRESSIONS, "micrograd's more ops": MORE_OPS, **EXTRA}
#: d/dx of each accumulation expression at its probe point x = 1.5, by hand (b = 3x in the fan-outs).
ACCUMULATED = {
    "x * x": 3.0,  # 2x
    "x + x": 2.0,
    "diamond (x * 2) * (x + 1)": 8.0,  # 4x + 2
    "non-leaf fan-out (b = 3x; b * b + b)": 30.0,  # (2b + 1) * 3
    "non-leaf fan-out (b = 3x; b + b * b)": 30.0,
}


def run_value(expression: Expression, point: Sequence[Any] | None = None) -> tuple[float, list[float]]:
    """Forward and backward through the engine at `point` (by default the probe's own): the root's
    data and each input's grad."""
    leaves = [Value(float(x)) for x in (expression.at.values() if point is None else point)]
    out = expression.build(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("name", CASES)
def test_value_matches_numpy_and_central_differences(name):
    expression = CASES[name]
    for point in points(expression, np.random.default_rng(12), DRAWS):
        value, grads = run_value(expression, point)
        expected_value, expected_grads = oracle(expression, point, ONE)
        assert isinstance(value, float)
        assert all(isinstance(g, float) for g in grads)
        at = [float(x) for x in point]
        assert_close(value, expected_value, what=f"{name} forward at {at}")
        assert_close(grads, np.ravel(expected_grads), what=f"{name} gradients at {at}")


@pytest.mark.parametrize("name", CASES)
def test_grads_accumulate_across_backward_calls(name):
    # `=` instead of `+=` in any closure loses the first call's contribution.
    expression = CASES[name]
    leaves = [Value(float(x)) for x in expression.at.values()]
    expression.build(*leaves).backward()
    once = [leaf.grad for leaf in leaves]
    expression.build(*leaves).backward()
    assert_close([leaf.grad for leaf in leaves], [2 * g for g in once], what=name)


def test_worked_example():
    # At a, b, c = 2, -3, 10.
    assert run_value(EXPRESSIONS["worked example (a*b + c)**2"]) == (16.0, [-24.0, 16.0, 8.0])


def test_micrograd_reference_values():
    # The values micrograd's own tests obtain from PyTorch, at its points x = -4 and a, b = -4, 2.
    assert run_value(EXPRESSIONS["micrograd's sanity check"]) == (-20.0, [46.0])
    value, (a, b) = run_value(MORE_OPS)
    assert value == pytest.approx(24.70408163265306, abs=1e-6)
    assert a == pytest.approx(138.83381924198252, abs=1e-6)
    assert b == pytest.approx(645.5772594752186, abs=1e-6)


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


@pytest.mark.parametrize("name", ACCUMULATED)
def test_gradients_accumulate_over_every_path(name):
    assert run_value(ACCUMULATION[name])[1] == [ACCUMULATED[name]]


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
