"""Reference exercise 17 (forward vs reverse mode) against float64 central differences.

Each test function is written once and run through three backends: plain floats
(for the numerical Jacobian), Dual (forward mode) and Node (reverse mode).
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from reference.exercise17 import (
    Dual,
    Node,
    exp,
    jacobian_forward,
    jacobian_reverse,
    jvp,
    log,
    relu,
)
from tests.reference.numeric import assert_close, numerical_grad


def f_mixed(x):  # 3 -> 4: every operator, reflected form and module function
    a, b, c = x
    return [
        a * b + exp(c) - 2.0,
        log(a) / b + 3.0 / c,
        relu(c - 0.3) ** 2 + (-a) ** 3 - 1.5 * a,
        (a**0.5 + b**-1) * (2.0 - c) + 1.0 - relu(-a),
    ]


def f_fan_out(x):  # 1 -> 3
    (t,) = x
    return [t * t * t, exp(-t) / (1.0 + t**2), log(1.0 + t * t)]


def f_loss(x):  # 4 -> 1: the shape reverse mode is made for
    s = 0.0
    for i, v in enumerate(x):
        s = s + (v - 0.1 * i) ** 2 / 2 + relu(v) * exp(-v)
    return [log(s)]


def f_sparse(x):  # 3 -> 3: a constant output, an identity output, an unused input
    a, _, c = x
    return [1.5, a, c / a]


def f_array(x):  # returns a 1-D object array instead of a list
    return np.array([x[0] * x[1], x[1] - x[0]], dtype=object)


CASES = [
    (f_mixed, [1.3, 0.7, 0.9]),
    (f_mixed, [0.4, -1.2, 2.5]),
    (f_fan_out, [0.8]),
    (f_loss, [0.5, -0.7, 1.9, 0.3]),
    (f_sparse, [2.0, -3.0, 0.5]),
    (f_array, [1.5, -2.5]),
]
IDS = [f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)]


def floats(f, x) -> np.ndarray:
    return np.array([float(v) for v in f([float(v) for v in x])])


def numeric_jacobian(f, x) -> np.ndarray:
    x = np.array(x, dtype=np.float64)
    m = len(floats(f, x))
    return np.array([numerical_grad(lambda v, i=i: floats(f, v)[i], x.copy()) for i in range(m)])


class Counted:
    """Wraps f and counts its evaluations."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


@pytest.mark.parametrize("f,x", CASES, ids=IDS)
def test_jvp_matches_numerical_jacobian(f, x):
    v = np.random.default_rng(len(x)).normal(size=len(x))
    fx, jv = jvp(f, x, v)
    assert isinstance(fx, np.ndarray) and isinstance(jv, np.ndarray)
    assert_close(fx, floats(f, x), atol=1e-12, rtol=1e-12, what="f(x)")
    assert_close(jv, numeric_jacobian(f, x) @ v, what="J v")


@pytest.mark.parametrize("f,x", CASES, ids=IDS)
def test_jacobians_match_numerical_and_each_other(f, x):
    expected = numeric_jacobian(f, x)
    forward, reverse = jacobian_forward(f, x), jacobian_reverse(f, x)
    assert forward.shape == reverse.shape == expected.shape
    assert forward.dtype == reverse.dtype == np.float64
    assert_close(forward, expected, what="jacobian_forward")
    assert_close(reverse, expected, what="jacobian_reverse")
    assert_close(forward, reverse, atol=1e-12, rtol=1e-12, what="forward == reverse")


def test_jacobians_accept_numpy_inputs():
    x = np.array([1.3, 0.7, 0.9])
    assert_close(jacobian_forward(f_mixed, x), jacobian_reverse(f_mixed, x), atol=1e-12)


@pytest.mark.parametrize("f,x", CASES, ids=IDS)
def test_evaluation_counts(f, x):
    counted = Counted(f)
    jvp(counted, x, np.ones(len(x)))
    assert counted.calls == 1, "jvp evaluates f once"
    counted.calls = 0
    jacobian_forward(counted, x)
    assert counted.calls == len(x), "jacobian_forward evaluates f once per input"
    counted.calls = 0
    jacobian_reverse(counted, x)
    assert counted.calls == 1, "jacobian_reverse evaluates f once"


def test_dual_rules_by_hand():
    a, b = Dual(3.0, 1.0), Dual(2.0, 5.0)
    cases = {
        "a + b": (a + b, 5.0, 6.0),
        "a - b": (a - b, 1.0, -4.0),
        "a * b": (a * b, 6.0, 1.0 * 2.0 + 3.0 * 5.0),
        "a / b": (a / b, 1.5, (1.0 * 2.0 - 3.0 * 5.0) / 4.0),
        "a ** 3": (a**3, 27.0, 27.0),
        "-a": (-a, -3.0, -1.0),
        "2 + a": (2 + a, 5.0, 1.0),
        "2 - a": (2 - a, -1.0, -1.0),
        "2 * a": (2 * a, 6.0, 2.0),
        "2 / b": (2 / b, 1.0, -2.0 * 5.0 / 4.0),
        "a + 2": (a + 2, 5.0, 1.0),
        "a * 2": (a * 2, 6.0, 2.0),
        "exp(a)": (exp(a), math.exp(3.0), math.exp(3.0)),
        "log(b)": (log(b), math.log(2.0), 2.5),
        "relu(a)": (relu(a), 3.0, 1.0),
        "relu(-a)": (relu(-a), 0.0, 0.0),
    }
    for name, (got, value, tangent) in cases.items():
        assert isinstance(got, Dual), name
        assert (got.value, got.tangent) == pytest.approx((value, tangent), rel=1e-14), name


def test_dual_defaults_and_repr():
    d = Dual(2)
    assert (d.value, d.tangent) == (2.0, 0.0)
    assert isinstance(d.value, float)
    assert "2.0" in repr(Dual(2.0, 0.5)) and "0.5" in repr(Dual(2.0, 0.5))


@pytest.mark.parametrize("fn,value", [(exp, math.exp(0.7)), (log, math.log(0.7)), (relu, 0.7)])
def test_module_functions_accept_floats(fn, value):
    got = fn(0.7)
    assert isinstance(got, float) and got == pytest.approx(value)
    assert relu(-0.7) == 0.0


def test_node_accumulates_over_shared_paths_and_resets_between_passes():
    x = Node(3.0)
    y = x * x + x  # dy/dx = 2x + 1 = 7 through three uses of x
    y.backward()
    assert x.grad == pytest.approx(7.0)
    y.backward()  # a second pass starts from zero again
    assert x.grad == pytest.approx(7.0)
    assert "3.0" in repr(x)


def test_node_backward_has_no_recursion_limit():
    x = Node(0.5)
    y = x
    for _ in range(5 * sys.getrecursionlimit()):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)
