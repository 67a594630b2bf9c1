"""Probes for exercise 17: dual numbers, jvp, and Jacobians by forward and reverse mode.

The test functions call the submission's own `exp`, `log` and `relu`, so one function
runs on Duals (forward mode), on the submission's reverse-mode nodes and on plain floats
(the finite differences of the gradient checks). Evaluation counts are observed by
wrapping `f` in a counter, inside the submission's process: they are feedback only; the
n-versus-m cost is graded by CPU time measured from outside (`_cost_check`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.answers import Integer, Record
from grader.probes.base import (
    GradProblem,
    Inputs,
    Probe,
    ProbeError,
    Resource,
    Verdict,
    as_array,
    as_float,
    fixed,
    gradcheck,
    prop,
    resource,
    seeded,
    unpack,
    value,
)

ELEMENTARY = ("exp", "log", "relu")
#: The two Dual operands of the operator cases (stated in the rubric's hint).
A, B = (1.5, 0.7), (-2.5, 1.3)

#: Each operator case: the expression, evaluated on a = Dual(*A), b = Dual(*B), and its method.
OPERATORS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "a + b": ("__add__", lambda a, b: a + b),
    "a + 2": ("__add__", lambda a, b: a + 2.0),
    "2 + a": ("__radd__", lambda a, b: 2.0 + a),
    "a - b": ("__sub__", lambda a, b: a - b),
    "2 - a": ("__rsub__", lambda a, b: 2.0 - a),
    "-a": ("__neg__", lambda a, b: -a),
    "a * b": ("__mul__", lambda a, b: a * b),
    "a * 3": ("__mul__", lambda a, b: a * 3.0),
    "3 * a": ("__rmul__", lambda a, b: 3.0 * a),
    "a / b": ("__truediv__", lambda a, b: a / b),
    "2 / a": ("__rtruediv__", lambda a, b: 2.0 / a),
    "a ** 3": ("__pow__", lambda a, b: a**3),
    "a ** -0.5": ("__pow__", lambda a, b: a**-0.5),
}


def _read_dual(result: Any, what: str) -> dict[str, float]:
    if not (hasattr(result, "value") and hasattr(result, "tangent")):
        raise ProbeError(f"{what} should be a Dual (with .value and .tangent), got a {type(result).__name__}")
    return {
        "value": as_float(result.value, f"the value of {what}"),
        "tangent": as_float(result.tangent, f"the tangent of {what}"),
    }


@value(("Dual",), fixed({f"{method} ({expr})": {"op": expr} for expr, (method, _) in OPERATORS.items()}))
def dual_operators(module: Any, inputs: Inputs) -> dict[str, float]:
    expr = inputs["op"]
    return _read_dual(OPERATORS[expr][1](module.Dual(*A), module.Dual(*B)), expr)


ON_DUALS: dict[str, Inputs] = {
    "exp(a)": {"fn": "exp", "a": [0.4, 1.7]},
    "log(a)": {"fn": "log", "a": [0.4, 1.7]},
    "relu(a) at a > 0": {"fn": "relu", "a": [0.4, 1.7]},
    "relu(a) + a at a < 0": {"fn": "relu", "a": [-0.4, 1.7], "plus": True},
    "exp(0.4) of a float": {"fn": "exp", "a": 0.4},
    "log(0.4) of a float": {"fn": "log", "a": 0.4},
    "relu(0.4) of a float": {"fn": "relu", "a": 0.4},
}


@value(("Dual", *ELEMENTARY), fixed(ON_DUALS))
def dual_functions(module: Any, inputs: Inputs) -> dict[str, float]:
    fn, a = inputs["fn"], inputs["a"]
    if isinstance(a, list):
        dual = module.Dual(*a)
        result = getattr(module, fn)(dual)
        if inputs.get("plus"):  # relu's value and slope below 0 are 0, which doing nothing matches too
            return _read_dual(result + dual, f"{fn}(a) + a")
        return _read_dual(result, f"{fn}(a)")
    return {"value": _plain_float(getattr(module, fn)(float(a)), f"{fn}({a})")}


def _plain_float(result: Any, what: str) -> float:
    if hasattr(result, "tangent") or hasattr(result, "grad"):
        raise ProbeError(
            f"{what} should return a plain number for a float input, got a {type(result).__name__}"
        )
    return as_float(result, what)


@dataclass(frozen=True)
class Function:
    """A test function f(module, x) -> list, its number of outputs and a point to evaluate it at."""

    run: Callable[[Any, Sequence[Any]], list[Any]]
    outputs: int
    point: tuple[float, ...]


def _mixed(m: Any, x: Sequence[Any]) -> list[Any]:
    a, b, c = x
    return [
        a * b - m.exp(c) / 2.0,
        m.log(a) / b + 3.0 / c,
        m.relu(c - 0.3) ** 2 + (1.0 - a) ** 3,
        (a**0.5 - b**-1) * (2.0 - c) + m.relu(-a),
    ]


def _loss(m: Any, x: Sequence[Any]) -> list[Any]:
    total = 0.0
    for i, v in enumerate(x):
        total = total + (v - 0.5 * i) ** 2 + m.relu(v) * m.exp(-v)
    return [m.log(total)]


def _fan_out(m: Any, x: Sequence[Any]) -> list[Any]:
    (t,) = x
    return [t * t * t, m.exp(-t) / (1.0 + t**2), m.log(1.0 + t * t)]


def _partial(m: Any, x: Sequence[Any]) -> list[Any]:
    a, b, c = x
    return [a * c, 2.0 * b - c]


FUNCTIONS = {
    "mixed": Function(_mixed, 4, (1.3, 0.7, 0.9)),
    "loss": Function(_loss, 1, (0.5, -0.7, 1.9, 0.3)),
    "fan-out": Function(_fan_out, 3, (0.8,)),
    "partial": Function(_partial, 2, (1.2, -0.4, 2.0)),
}


def _wide(m: Any, x: Sequence[Any]) -> list[Any]:
    """One input, many outputs sharing a long computation: one forward evaluation gives all of
    them, reverse mode walks the shared part once per output."""
    (t,) = x
    shared = t
    for j in range(32):
        shared = shared * 0.9 + m.exp(t * (0.01 * j))
    return [shared * (0.5 + 0.01 * k) + m.relu(t - 0.01 * k) for k in range(WIDE)]


WIDE = 64
#: Every function a probe may name: the test functions and the cost checks' wide one.
TEST_FUNCTIONS = {**FUNCTIONS, "wide": Function(_wide, WIDE, (0.7,))}


def _title(name: str) -> str:
    """`mixed (n=3, m=4)`: a function's name with its numbers of inputs and outputs."""
    function = FUNCTIONS[name]
    return f"{name} (n={len(function.point)}, m={function.outputs})"


def _test_function(module: Any, inputs: Inputs) -> Callable[[Sequence[Any]], list[Any]]:
    run = TEST_FUNCTIONS[inputs["f"]].run
    return lambda x: run(module, x)


def _needs(method: str) -> tuple[str, ...]:
    """The names a probe of `method` calls: the method and the functions f is written with."""
    return (method, *ELEMENTARY)


def _point(inputs: Inputs) -> list[float]:
    return [float(v) for v in inputs["x"]]


AT_POINTS = {_title(name): {"f": name, "x": list(f.point)} for name, f in FUNCTIONS.items()}


def _direction(inputs: Inputs) -> list[float]:
    return [(-1.0) ** i * (0.5 + 0.25 * i) for i in range(len(inputs["x"]))]


@value(_needs("jvp"), fixed(AT_POINTS))
def jvp_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    result = module.jvp(_test_function(module, inputs), _point(inputs), _direction(inputs))
    fx, jv = unpack(result, ("f(x)", "J v"), "jvp")
    return {"f(x)": as_array(fx, "f(x) returned by jvp"), "J v": as_array(jv, "J v returned by jvp")}


def _jacobian(
    module: Any, method: str, inputs: Inputs, f: Callable[[Sequence[Any]], list[Any]] | None = None
) -> np.ndarray:
    """The submission's Jacobian of the case's function (or of `f`, the same one counted), checked to
    be m x n before anything is compared."""
    x = _point(inputs)
    function = f if f is not None else _test_function(module, inputs)
    jac = as_array(getattr(module, method)(function, x), f"{method}(f, x)")
    shape = (TEST_FUNCTIONS[inputs["f"]].outputs, len(x))
    if jac.shape != shape:
        transposed = ": transposed?" if jac.shape == shape[::-1] else ""
        raise ProbeError(f"{method}(f, x) has shape {jac.shape}, expected (m, n) = {shape}{transposed}")
    return jac


def _rows(named: dict[str, Inputs]) -> dict[str, Inputs]:
    """One case per output: each row of J is the gradient of one output."""
    return {
        f"row {row} of {label}": {**inputs, "row": row}
        for label, inputs in named.items()
        for row in range(FUNCTIONS[inputs["f"]].outputs)
    }


def _row_check(method: str) -> Probe:
    """Each row of the method's J against finite differences of that output, evaluated on floats."""

    def build(module: Any, inputs: Inputs) -> GradProblem:
        f, row = _test_function(module, inputs), int(inputs["row"])
        return GradProblem(
            {"x": np.array(_point(inputs))},
            loss=lambda p: as_float(f([float(v) for v in p["x"]])[row], f"output {row} of f on floats"),
            grads=lambda p: {"x": _jacobian(module, method, inputs)[row]},
            labels={"x": f"J[{row}]"},
            value=f"output {row} of f (written with your exp, log and relu)",
        )

    return gradcheck(_needs(method), fixed(_rows(AT_POINTS)))(build)


jacobian_forward = _row_check("jacobian_forward")
jacobian_reverse = _row_check("jacobian_reverse")


def _elsewhere(rng: np.random.Generator) -> Inputs:
    """One of the test functions at another point (inside every function's domain, off the kinks)."""
    name = list(FUNCTIONS)[int(rng.integers(len(FUNCTIONS)))]
    return {"f": name, "x": rng.uniform(0.5, 2.0, len(FUNCTIONS[name].point)).tolist()}


@value(("jacobian_forward", *_needs("jacobian_reverse")), seeded(_elsewhere))
def jacobian_values(module: Any, inputs: Inputs) -> dict[str, Any]:
    return {method: _jacobian(module, method, inputs) for method in ("jacobian_forward", "jacobian_reverse")}


def _counted(module: Any, inputs: Inputs) -> tuple[Callable[[Sequence[Any]], list[Any]], list[int]]:
    """The case's test function, and a counter of its evaluations (kept by the submission's process)."""
    f, calls = _test_function(module, inputs), [0]

    def counted(x: Sequence[Any]) -> list[Any]:
        calls[0] += 1
        return f(x)

    return counted, calls


def _evaluation_check(method: str, limit: Callable[[int, int], int], why: str) -> Probe:
    """How often `method` evaluates f, at most limit(n, m): feedback only, worth no points.

    The count is kept inside the submission's process, which could rewrite it, so the
    points for the n-versus-m cost go to the CPU time measured from outside (the cost checks).
    """

    def run(module: Any, inputs: Inputs) -> dict[str, int]:
        counted, calls = _counted(module, inputs)
        args = (_point(inputs), _direction(inputs)) if method == "jvp" else (_point(inputs),)
        getattr(module, method)(counted, *args)
        return {"calls": calls[0]}

    def judge(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
        n, m = len(inputs["x"]), FUNCTIONS[inputs["f"]].outputs
        calls = observed["calls"]
        if calls <= limit(n, m):
            return Verdict(True)
        message = f"{method} evaluated f {calls} times for n = {n} inputs and m = {m} outputs; {why}"
        return Verdict(False, message, "extra-evaluations")

    answer = Record({"calls": Integer()})
    return prop(_needs(method), fixed(AT_POINTS), judge, lambda inputs: answer)(run)


jvp_evaluations = _evaluation_check(
    "jvp", lambda n, m: 1, "once is enough: Dual inputs carry f(x) and J v together"
)
jacobian_forward_evaluations = _evaluation_check(
    "jacobian_forward", lambda n, m: n, "at most n: one evaluation per column of J"
)
jacobian_reverse_evaluations = _evaluation_check(
    "jacobian_reverse",
    lambda n, m: m,
    "at most m, and once is enough: evaluate f once on nodes, then run one backward pass per output",
)


COSTS = {
    "jacobian_reverse": {f"loss (n={WIDE}, m=1)": {"f": "loss", "x": np.linspace(-1.5, 1.5, WIDE).tolist()}},
    "jacobian_forward": {f"wide (n=1, m={WIDE})": {"f": "wide", "x": [0.7]}},
}
COST_WHY = {
    "jacobian_reverse": "reverse mode costs about one evaluation of f and one backward pass per output",
    "jacobian_forward": "forward mode costs about one evaluation of f per input",
}


def _cost_check(method: str) -> Probe:
    """The CPU time of one `method` call where its mode is cheap, measured from outside the worker,
    against the reference's time for the same call; the evaluation count only explains an overrun."""

    def run(module: Any, inputs: Inputs) -> dict[str, Any]:
        counted, calls = _counted(module, inputs)
        return {"answer": _jacobian(module, method, inputs, counted), "observed": {"calls": calls[0]}}

    def judge(inputs: Inputs, observed: dict[str, Any], expected: Any) -> Verdict:
        calls = observed["calls"]
        counted = f"{method} evaluated f {calls} time{'s' * (calls != 1)} (counted in your process)"
        return Verdict(False, f"{counted}; {COST_WHY[method]}", "extra-evaluations")

    answer = Record({"calls": Integer()})
    measured = Resource("cpu", "reference's CPU time", repeat=3)
    return resource(_needs(method), fixed(COSTS[method]), measured, lambda inputs: answer, judge)(run)


jacobian_reverse_cost = _cost_check("jacobian_reverse")
jacobian_forward_cost = _cost_check("jacobian_forward")
