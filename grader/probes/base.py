"""What a probe is.

A probe exercises the SPEC API of a module on JSON-able inputs and returns plain data.
The same probe runs in the student process (on the submission) and in the grader
(on the reference and on its wrong variants), so an expression is written once and
run through both backends. This module is imported by the worker: stdlib and numpy only,
and nothing that solves an exercise (the worker can read every file of the grader).

What decides points is never taken on the worker's word: a probe also says, for the
grader, what a complete answer looks like (`answer`), which correct values to compare
with (`truth`: the reference's, or the course's shipped values), and how to judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.answers import Array, Number, Record, Spec

Inputs = dict[str, Any]
#: Name of the inputs key carrying a gradient check's request (`eps`, and whether to send `points`).
PERTURB = "__perturb__"


class ProbeError(Exception):
    """The submission's output has the wrong structure; the message is for the student."""


@dataclass(frozen=True)
class Case:
    label: str
    inputs: Inputs


@dataclass(frozen=True)
class Verdict:
    """A judgement made in the grader on plain data."""

    passed: bool
    message: str | None = None
    misconception: str | None = None


#: A property's judge: (case inputs, the worker's observation, the correct observation or None) -> Verdict.
Judge = Callable[[Inputs, Any, Any], Verdict]


@dataclass(frozen=True)
class Flow:
    """The order in which a backward pass computes gradients, so that feedback starts at the first cause.

    `order` names gradients as feedback names them (a gradient check's labels, a value probe's
    answer keys), nearest the loss first: when dW2 and dW1 are both wrong, dW2 is the one to fix
    first, dW1 may only inherit its error. `through` maps an intermediate gradient the backward
    pass computes (`"dz2 = dL/dz2"`) to every gradient computed from it: when all of those are
    wrong, it is the likely cause.
    """

    order: tuple[str, ...] = ()
    through: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def ordered(self, names: Iterable[str]) -> list[str]:
        """`names` in data-flow order; names `order` does not place (forward outputs) come first."""
        names = list(names)
        return [name for name in names if name not in self.order] + [
            name for name in self.order if name in names
        ]


@dataclass(frozen=True)
class Probe:
    """A named way to exercise the submission; callable as `probe(module, inputs)`.

    `kind` is "value" (compared with the reference), "gradcheck" (the submission's gradient
    against the numerical gradient of the correct function, see `build`), "property"
    (observations judged in the grader by `judge`) or "resource" (a call measured from
    outside the worker, see `Resource`). `raises` names the exceptions that are a verdict
    rather than an error (a RecursionError is a recursive walk).
    """

    run: Callable[[Any, Inputs], Any]
    kind: str
    requires: tuple[str, ...]
    cases: Callable[[int, int], list[Case]]
    judge: Judge | None = None
    #: The structure of a property's or resource's answer, for the grader to validate it.
    answer: Callable[[Inputs], Spec] | None = None
    #: A gradient check's problem: `build(module, inputs)`; the grader builds it with the reference.
    build: Callable[[Any, Inputs], GradProblem] | None = None
    #: A property judged against the correct solution's observation of the same case.
    truth: bool = False
    raises: Mapping[str, Verdict] = field(default_factory=dict)
    resource: Resource | None = None
    #: A value probe whose answer holds gradients: their data-flow order (see `Flow`).
    flow: Flow = field(default_factory=Flow)

    def __call__(self, module: Any, inputs: Inputs) -> Any:
        return self.run(module, inputs)


@dataclass(frozen=True)
class Resource:
    """How a resource probe's call is measured and what it is allowed.

    `metric` is "memory" (bytes the worker touched or grew by during the call) or "cpu"
    (the worker's CPU time for the call), the best of `repeat` calls. The allowance is
    `max_ratio` (from the rubric) times a baseline, plus `overhead` bytes for memory (what
    any call costs the interpreter: decoding the request, encoding the answer): for memory
    the baseline is `size(inputs)` (the answer's size, the caches'), for cpu the same
    probe's CPU time on the trusted module, in the grader. `trusted(reference)` is the
    module whose answer is correct (the reference by default; None where the check needs the
    reference and the course has none).
    """

    metric: str
    #: What the allowance is a multiple of, as messages say it ("the answer's size").
    basis: str
    size: Callable[[Inputs], float] | None = None
    overhead: float = 0.0
    trusted: Callable[[Any], Any] = lambda reference: reference
    repeat: int = 1


def seeded(make: Callable[[np.random.Generator], Inputs]) -> Callable[[int, int], list[Case]]:
    """Cases `case 1..count` from a generator of inputs, one seed each."""

    def cases(seed: int, count: int) -> list[Case]:
        return [Case(f"case {i + 1}", make(np.random.default_rng(seed + i))) for i in range(count)]

    return cases


def fixed(
    named: Mapping[str, Inputs] | Callable[[], Mapping[str, Inputs]],
) -> Callable[[int, int], list[Case]]:
    """Named cases that do not depend on the seed (e.g. one per operator); never for hidden checks.

    `named` may be a function making them, called only where cases are needed (in the grader),
    so that the worker does not pay for drawing them.
    """

    def cases(seed: int, count: int) -> list[Case]:
        table = named() if callable(named) else named
        return [Case(label, dict(inputs)) for label, inputs in table.items()]

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


@dataclass
class GradProblem:
    """A scalar function of named parameters and the submission's gradient of it.

    `loss` is written with the module's own API, so built on the reference (in the grader)
    it is the correct function, whose central differences the submission's gradient must
    match; built on the submission it is the student's own function. `own` says whether that
    function is the submission's work (its value at the check point must then be right too:
    a constant forward with a zero backward is consistent and wrong). `labels` name each
    gradient for feedback (`{"W1": "dW1"}`); `value` names the function's value; `flow` orders
    the labels from the loss backwards (see `Flow`).
    """

    params: dict[str, np.ndarray]
    loss: Callable[[dict[str, np.ndarray]], Any]
    grads: Callable[[dict[str, np.ndarray]], Mapping[str, Any]]
    labels: dict[str, str] = field(default_factory=dict)
    value: str = "the function's value"
    own: bool = True
    flow: Flow = field(default_factory=Flow)

    def label(self, name: str) -> str:
        return self.labels.get(name, f"the gradient w.r.t. {name}")

    def answer(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """In the worker: the analytic gradients, the value at the check point, and the perturbed
        values when the grader has no correct ones and falls back on the submission's own function."""
        result: dict[str, Any] = {"grads": self.analytic()}
        points = bool(request.get("points"))
        if self.own or points:
            result["loss"] = self.at(self.params)
        if points:
            result["plus"], result["minus"] = self.perturbed(float(request["eps"]))
        return result

    def spec(self, points: bool) -> Record:
        """The structure of `answer`'s reply (shapes are compared later, with feedback)."""
        fields: dict[str, Spec] = {"grads": Record({name: Array() for name in self.params})}
        if self.own or points:
            fields["loss"] = Number()
        if points:
            for side in ("plus", "minus"):
                fields[side] = Record({name: Array(ndim=1, size=p.size) for name, p in self.params.items()})
        return Record(fields)

    def numerical(self, eps: float) -> dict[str, Any]:
        """Central differences of `loss` at every coordinate, and its value at the check point."""
        plus, minus = self.perturbed(eps)
        numeric = {
            name: ((np.asarray(plus[name]) - np.asarray(minus[name])) / (2 * eps)).reshape(p.shape)
            for name, p in self.params.items()
        }
        return {"loss": self.at(self.params), "numeric": numeric}

    def analytic(self) -> dict[str, np.ndarray]:
        grads = self.grads({k: v.copy() for k, v in self.params.items()})
        if not isinstance(grads, Mapping):
            raise ProbeError(f"the gradients should be a mapping, got a {type(grads).__name__}")
        return {name: as_array(grads.get(name), self.label(name)) for name in self.params}

    def at(self, params: dict[str, np.ndarray]) -> float:
        return as_float(self.loss({k: v.copy() for k, v in params.items()}), self.value)

    def perturbed(self, eps: float) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        """The value at x ± eps·e_i for every coordinate i of every parameter."""
        plus: dict[str, list[float]] = {}
        minus: dict[str, list[float]] = {}
        for name, base in self.params.items():
            plus[name], minus[name] = [], []
            for index in range(base.size):
                step = np.zeros(base.size)
                step[index] = eps
                for sign, values in ((1.0, plus[name]), (-1.0, minus[name])):
                    values.append(self.at({**self.params, name: base + sign * step.reshape(base.shape)}))
        return plus, minus


def gradcheck(
    requires: Sequence[str], cases: Callable[[int, int], list[Case]]
) -> Callable[[Callable[[Any, Inputs], GradProblem]], Probe]:
    """Decorator: a function building a GradProblem becomes a gradient-check probe."""

    def wrap(build: Callable[[Any, Inputs], GradProblem]) -> Probe:
        def run(module: Any, inputs: Inputs) -> dict[str, Any]:
            return build(module, inputs).answer(inputs.get(PERTURB) or {})

        return _probe("gradcheck", requires, cases, build=build)(run)

    return wrap


def value(
    requires: Sequence[str],
    cases: Callable[[int, int], list[Case]],
    raises: Mapping[str, Verdict] | None = None,
    flow: Flow | None = None,
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """Decorator: a function returning plain data becomes a value probe, compared with the reference.

    `flow` orders the gradients among the answer's keys, for feedback that starts at the first cause.
    """
    return _probe("value", requires, cases, raises, flow=flow or Flow())


def prop(
    requires: Sequence[str],
    cases: Callable[[int, int], list[Case]],
    judge: Judge,
    answer: Callable[[Inputs], Spec],
    *,
    truth: bool = False,
    raises: Mapping[str, Verdict] | None = None,
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """Decorator: a property probe whose observation, of structure `answer`, `judge` decides in the grader.

    With `truth`, the judge also gets the correct solution's observation of the case (None
    where neither the reference nor the course's shipped values have it).
    """
    return _probe("property", requires, cases, raises, judge=judge, answer=answer, truth=truth)


def resource(
    requires: Sequence[str],
    cases: Callable[[int, int], list[Case]],
    measured: Resource,
    answer: Callable[[Inputs], Spec],
    judge: Judge,
    raises: Mapping[str, Verdict] | None = None,
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """Decorator: a call measured from outside the worker.

    The probe returns `{"answer": ..., "observed": ...}`: the answer is compared with the
    trusted module's; `judge(inputs, observed, None)` only explains an allowance exceeded
    (what the submission says about itself never decides points).
    """
    return _probe("resource", requires, cases, raises, judge=judge, answer=answer, resource=measured)


def _probe(
    kind: str,
    requires: Sequence[str],
    cases: Callable[[int, int], list[Case]],
    raises: Mapping[str, Verdict] | None = None,
    **parts: Any,
) -> Callable[[Callable[[Any, Inputs], Any]], Probe]:
    """What every decorator does: make the function the `run` of a Probe of `kind`."""

    def wrap(run: Callable[[Any, Inputs], Any]) -> Probe:
        return Probe(
            run, kind=kind, requires=tuple(requires), cases=cases, raises=dict(raises or {}), **parts
        )

    return wrap
