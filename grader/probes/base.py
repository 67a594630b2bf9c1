"""What a probe is.

A probe exercises the SPEC API of a module on JSON-able inputs and returns plain data.
The same probe runs in the student process (on the submission) and in the grader
(on the reference and on its wrong variants), so an expression is written once and
run through both backends. This module is imported by the worker: stdlib and numpy only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Inputs = dict[str, Any]
#: Name of the inputs key carrying a gradient check's perturbation request.
PERTURB = "__perturb__"


class ProbeError(Exception):
    """The submission's output has the wrong structure; the message is for the student."""


@dataclass(frozen=True)
class Case:
    label: str
    inputs: Inputs


@dataclass(frozen=True)
class Verdict:
    """A property probe's judgement, made in the grader on plain data."""

    passed: bool
    message: str | None = None
    misconception: str | None = None


class Probe:
    """A named way to exercise the submission; callable as `probe(module, inputs)`.

    `kind` is "value" (compared with the reference), "gradcheck", "property" (judged
    by `judge` in the grader) or "resource" (measurements compared with the reference).
    """

    def __init__(
        self,
        run: Callable[[Any, Inputs], Any],
        *,
        kind: str,
        requires: Sequence[str],
        cases: Callable[[int, int], list[Case]],
        judge: Callable[[Inputs, Any], Verdict] | None = None,
    ):
        self.run, self.kind, self.requires = run, kind, tuple(requires)
        self.cases, self.judge = cases, judge

    def __call__(self, module: Any, inputs: Inputs) -> Any:
        return self.run(module, inputs)


def seeded(make: Callable[[np.random.Generator], Inputs]) -> Callable[[int, int], list[Case]]:
    """Cases `case 1..count` from a generator of inputs, one seed each."""

    def cases(seed: int, count: int) -> list[Case]:
        return [Case(f"case {i + 1}", make(np.random.default_rng(seed + i))) for i in range(count)]

    return cases


def fixed(named: Mapping[str, Inputs]) -> Callable[[int, int], list[Case]]:
    """Named cases that do not depend on the seed (e.g. one per operator)."""

    def cases(seed: int, count: int) -> list[Case]:
        return [Case(label, dict(inputs)) for label, inputs in named.items()]

    return cases


def as_array(value: Any, what: str) -> np.ndarray:
    """Convert a returned value to float64 inside the student process, or explain why not."""
    try:
        return np.array(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise ProbeError(f"{what} is not an array of numbers ({type(value).__name__}: {exc})") from None


def as_float(value: Any, what: str) -> float:
    array = as_array(value, what)
    if array.size != 1:
        raise ProbeError(f"{what} should be a single number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def unpack(value: Any, names: Sequence[str], what: str) -> list[Any]:
    """Split a returned tuple into its named parts, with a message a student can act on."""
    if not isinstance(value, tuple | list) or len(value) != len(names):
        count = len(value) if isinstance(value, tuple | list) else f"a {type(value).__name__}"
        raise ProbeError(f"{what} should return {len(names)} values ({', '.join(names)}), got {count}")
    return list(value)


def arrays(inputs: Inputs, *names: str) -> list[np.ndarray]:
    """Inputs as fresh float64 arrays (a student writing into them cannot affect the grader)."""
    return [np.array(inputs[name], dtype=np.float64) for name in names]


def directions(seed: int, name: str, shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    """Random unit directions for a fast gradient check, reproducible on both sides."""
    rng = np.random.default_rng([seed, *name.encode()])
    found = []
    for _ in range(count):
        d = rng.standard_normal(shape)
        found.append(d / max(float(np.linalg.norm(d)), 1e-300))
    return found


@dataclass
class GradProblem:
    """A scalar function of named parameters and the submission's gradient of it.

    `labels` name each gradient for feedback (`{"W1": "dW1"}`, `{"b": "the denominator"}`).
    """

    params: dict[str, np.ndarray]
    loss: Callable[[dict[str, np.ndarray]], Any]
    grads: Callable[[dict[str, np.ndarray]], Mapping[str, Any]]
    labels: dict[str, str] = field(default_factory=dict)

    def evaluate(self, request: Mapping[str, Any] | None) -> dict[str, Any]:
        """Analytic gradients, plus loss values at the perturbed points the grader asked for.

        `request` is `{"eps": e, "seed": s, "count": k, "full": [names] or true}`: `k`
        random directions per parameter (see `directions`) and every coordinate of the
        `full` ones. The grader turns the values into finite differences in its own process.
        """
        result: dict[str, Any] = {
            "grads": self.analytic(),
            "shapes": {name: list(p.shape) for name, p in self.params.items()},
            "labels": {name: self.labels.get(name, f"the gradient w.r.t. {name}") for name in self.params},
        }
        if not request:
            return result
        eps, seed, count = float(request["eps"]), int(request.get("seed", 0)), int(request.get("count", 0))
        result["directional"] = {
            name: [self._pair(name, d, eps) for d in directions(seed, name, p.shape, count)]
            for name, p in self.params.items()
        }
        full = request.get("full", [])
        result["full"] = {name: self._full(name, eps) for name in (self.params if full is True else full)}
        return result

    def analytic(self) -> dict[str, np.ndarray]:
        grads = self.grads({k: v.copy() for k, v in self.params.items()})
        return {name: as_array(grads.get(name), self.labels.get(name, name)) for name in self.params}

    def _at(self, name: str, point: np.ndarray) -> float:
        params = {k: v.copy() for k, v in self.params.items()}
        params[name] = point
        return as_float(self.loss(params), "the function value")

    def _pair(self, name: str, direction: np.ndarray, eps: float) -> list[float]:
        base = self.params[name]
        return [self._at(name, base + eps * direction), self._at(name, base - eps * direction)]

    def _full(self, name: str, eps: float) -> dict[str, list[float]]:
        base = self.params[name]
        plus, minus = [], []
        for index in range(base.size):
            step = np.zeros(base.size)
            step[index] = eps
            plus.append(self._at(name, base + step.reshape(base.shape)))
            minus.append(self._at(name, base - step.reshape(base.shape)))
        return {"plus": plus, "minus": minus}


def gradcheck(
    requires: Sequence[str], cases: Callable[[int, int], list[Case]]
) -> Callable[[Callable[[Any, Inputs], GradProblem]], Probe]:
    """Decorator: a function building a GradProblem becomes a gradient-check probe."""

    def wrap(build: Callable[[Any, Inputs], GradProblem]) -> Probe:
        def run(module: Any, inputs: Inputs) -> dict[str, Any]:
            return build(module, inputs).evaluate(inputs.get(PERTURB))

        return Probe(run, kind="gradcheck", requires=requires, cases=cases)

    return wrap


def value(
    requires: Sequence[str], cases: Callable[[int, int], list[Case]], kind: str = "value"
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """Decorator: a function returning plain data becomes a value (or resource) probe."""

    def wrap(run: Callable[[Any, Inputs], Any]) -> Probe:
        return Probe(run, kind=kind, requires=requires, cases=cases)

    return wrap


def prop(
    requires: Sequence[str],
    cases: Callable[[int, int], list[Case]],
    judge: Callable[[Inputs, Any], Verdict],
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """Decorator: a property probe whose plain output `judge` decides in the grader."""

    def wrap(run: Callable[[Any, Inputs], Any]) -> Probe:
        return Probe(run, kind="property", requires=requires, cases=cases, judge=judge)

    return wrap
