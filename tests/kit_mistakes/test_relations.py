"""Mistakes named without their variants: by the relation the course declares, or shipped outcomes.

The kit must name a mistake exactly where the course would, or not at all. Each answer below is
judged twice with the matching a gradient check uses (`matching_misconception`): by the kit
(no reference, the repository's truth files) and by the course (the reference's variants).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from grader import course, relations
from grader.checks.base import Context, matching_misconception
from grader.checks.compare import matches
from grader.errors import MutantError
from grader.probes.base import PERTURB, Case
from grader.rubric import Check, load
from grader.settings import Settings, for_check, resolve
from grader.truth import MISTAKES, Raised, Truth, outcome_of, shipped_values
from tests.kit_mistakes.conftest import COURSE

EXERCISES = [f"exercise{n}" for n in range(11, 19)]


def context(exercise: str, *, kit: bool) -> Context:
    """What a gradient check names mistakes with: the kit's (no reference) or the course's."""
    rubric = load(COURSE / "rubrics" / f"{exercise}.yaml")
    reference = None if kit else course.load_reference(COURSE, exercise)
    return Context(
        rubric=rubric,
        settings=resolve(rubric=rubric.defaults),
        filename=f"{exercise}.py",
        probes=importlib.import_module(f"grader.probes.{exercise}"),
        worker=None,  # type: ignore[arg-type]  # naming a mistake never asks the submission
        names=frozenset(),
        truth=Truth.load(rubric, reference),
        variants={} if reference is None else course.Variants(COURSE, exercise, reference),
    )


def gradient_checks(exercise: str) -> Iterator[Check]:
    for check in load(COURSE / "rubrics" / f"{exercise}.yaml").checks:
        if check.visibility == "visible" and check.kind == "gradcheck":
            yield check


def same_gradients(tol: Settings) -> Callable[[Any, Any], bool]:
    """How a gradient check compares an answer's gradients with a mistake's."""
    return lambda got, wrong: all(matches(got[name], value, tol) for name, value in wrong["grads"].items())


def named(ctx: Context, check: Check, case: Case, grads: dict[str, Any]) -> str | None:
    same = same_gradients(for_check(ctx.settings, check.overrides))
    return matching_misconception(ctx, check, case, grads, same)


def correct(ctx: Context, check: Check, case: Case) -> dict[str, np.ndarray]:
    """The correct gradients of a public case, as the kit knows them (central differences)."""
    eps = for_check(ctx.settings, check.overrides).eps
    known = ctx.truth.gradient(check, ctx.probe(check), case, eps)
    assert known is not None, f"{check.id}, {case.label}: no shipped values"
    return {name: np.asarray(value) for name, value in known["numeric"].items()}


def the_check(exercise: str, check_id: str) -> Check:
    return next(check for check in gradient_checks(exercise) if check.id == check_id)


def first_case(ctx: Context, check: Check) -> Case:
    return ctx.probe(check).cases(check.seed, check.cases)[0]


# The relations themselves.

GRADS = {"W": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "b": np.array([0.5, -1.0, 2.0])}
INPUTS = {"X": [[0.0], [1.0], [2.0], [3.0]]}


def test_scaled_multiplies_the_gradients_named_or_all_by_a_number_from_the_inputs() -> None:
    every = relations.scaled(relations.rows("X"))(INPUTS, GRADS)
    biases = relations.scaled(relations.per_row("X"), "b")(INPUTS, GRADS)
    assert np.array_equal(every["W"], 4 * GRADS["W"]) and np.array_equal(every["b"], 4 * GRADS["b"])
    assert np.array_equal(biases["W"], GRADS["W"]) and np.array_equal(biases["b"], GRADS["b"] / 4)


def test_transposed_transposes_only_the_gradients_named() -> None:
    made = relations.transposed("W")(INPUTS, GRADS)
    assert made["W"].shape == (3, 2) and np.array_equal(made["W"], GRADS["W"].T)
    assert np.array_equal(made["b"], GRADS["b"])


def test_zero_leaves_every_gradient_at_zero_in_its_shape() -> None:
    made = relations.zero(INPUTS, GRADS)
    assert {name: value.shape for name, value in made.items()} == {"W": (2, 3), "b": (3,)}
    assert not any(value.any() for value in made.values())


def test_copied_gives_one_gradient_the_correct_value_of_another() -> None:
    made = relations.copied("b", "W")({}, {"W": GRADS["b"] * 3, "b": GRADS["b"]})
    assert np.array_equal(made["b"], GRADS["b"] * 3) and np.array_equal(made["W"], GRADS["b"] * 3)


def test_a_relation_is_declared_only_for_a_mistake_a_visible_gradient_check_of_its_probe_lists() -> None:
    for (exercise, probe), declared in relations.RELATIONS.items():
        listed = {
            m for check in gradient_checks(exercise) if check.probe == probe for m in check.misconceptions
        }
        assert set(declared) <= listed, f"{exercise}.{probe}: {set(declared) - listed} listed by no check"


# Kit and course name the same mistakes.


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_student_making_exactly_a_listed_mistake_is_named_by_the_kit_as_by_the_course(
    exercise: str,
) -> None:
    """Every listed mistake's own gradients, on every public case of every visible gradient check: the
    kit names what the course names (on a case where two mistakes agree, the first listed)."""
    kit, full = context(exercise, kit=True), context(exercise, kit=False)
    compared = 0
    for check in gradient_checks(exercise):
        probe = full.probe(check)
        for case in probe.cases(check.seed, check.cases):
            for ident in check.misconceptions:
                wrong = outcome_of(full.variants[ident], probe, case.inputs)
                if isinstance(wrong, Raised):
                    continue  # an exception is no answer: matched by type and message (test_verdicts)
                answer = wrong["grads"]
                assert named(kit, check, case, answer) == named(full, check, case, answer), (
                    f"{check.id}, {case.label}, {ident}"
                )
                compared += 1
    assert compared or not list(gradient_checks(exercise))


def scale(grads: dict[str, np.ndarray], by: float, *names: str) -> dict[str, np.ndarray]:
    return {name: value * by if not names or name in names else value for name, value in grads.items()}


def n_of(case: Case, name: str) -> int:
    return len(case.inputs[name])


Answer = Callable[[Case, dict[str, np.ndarray]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Resembling:
    """A wrong answer made from a public case's correct gradients, resembling the mistake `like`."""

    exercise: str
    check: str
    like: str
    make: Answer
    case: str = "case 1"


RESEMBLING = {
    "every gradient N + 1 times the correct one": Resembling(
        "exercise11", "mlp_backward.gradcheck", "forgot-divide-by-n",
        lambda case, g: scale(g, n_of(case, "X") + 1),
    ),
    "every gradient N times the correct one, but dW1": Resembling(
        "exercise11", "mlp_backward.gradcheck", "forgot-divide-by-n",
        lambda case, g: scale(g, n_of(case, "X"), "W2", "b1", "b2"),
    ),
    "db2 divided by N, db1 right": Resembling(
        "exercise11", "mlp_backward.gradcheck", "db-by-mean",
        lambda case, g: scale(g, 1 / n_of(case, "X"), "b2"),
    ),
    "both biases divided by N - 1": Resembling(
        "exercise11", "mlp_backward.gradcheck", "db-by-mean",
        lambda case, g: scale(g, 1 / (n_of(case, "X") - 1), "b1", "b2"),
    ),
    "dW2 transposed, dW1 right": Resembling(
        "exercise11", "mlp_backward.gradcheck", "transposed-dw", lambda case, g: {**g, "W2": g["W2"].T}
    ),
    "both weight gradients reshaped to the transposed shape": Resembling(
        "exercise11", "mlp_backward.gradcheck", "transposed-dw",
        lambda case, g: {**g, "W1": g["W1"].reshape(g["W1"].T.shape), "W2": g["W2"].reshape(g["W2"].T.shape)},
    ),
    "dz N - 1 times the correct one": Resembling(
        "exercise15", "softmax_cross_entropy_backward.gradcheck", "forgot-divide-by-n",
        lambda case, g: scale(g, n_of(case, "y") - 1),
    ),
    "dbeta divided by N, dgamma also off": Resembling(
        "exercise16", "layernorm_backward.gradcheck", "dbeta-by-mean",
        lambda case, g: scale(scale(g, 1 / n_of(case, "x"), "beta"), 1.5, "gamma"),
    ),
    "dgamma 1% away from dbeta": Resembling(
        "exercise16", "layernorm_backward.gradcheck", "dgamma-without-xhat",
        lambda case, g: {**g, "gamma": g["beta"] * 1.01},
    ),
    "the numerator's gradient right, the denominator's 0": Resembling(
        "exercise12", "operators.gradcheck", "backward-never-reached-leaves",
        lambda case, g: scale(g, 0.0, "denominator"), case="__truediv__",
    ),
    "every gradient 1e-3 instead of 0": Resembling(
        "exercise14", "accumulation.gradcheck", "backward-never-reached-leaves",
        lambda case, g: {name: np.full_like(value, 1e-3) for name, value in g.items()}, case="t * t",
    ),
}  # fmt: skip


@pytest.mark.parametrize("what", RESEMBLING)
def test_a_wrong_answer_that_merely_resembles_a_relation_is_not_named_by_it(what: str) -> None:
    answer = RESEMBLING[what]
    kit, full = context(answer.exercise, kit=True), context(answer.exercise, kit=False)
    check = the_check(answer.exercise, answer.check)
    case = next(c for c in kit.probe(check).cases(check.seed, check.cases) if c.label == answer.case)
    related = kit.truth.mistake(check, case, answer.like)
    assert relations.declared(answer.exercise, check.probe, answer.like) and related is not None
    assert named(kit, check, case, related["grads"]) == answer.like  # the relation itself is named
    resembling = answer.make(case, correct(kit, check, case))
    assert named(kit, check, case, resembling) != answer.like
    assert named(kit, check, case, resembling) == named(full, check, case, resembling)


# Where the kit knows nothing, it names nothing.


def test_a_case_the_truth_file_does_not_hold_names_nothing() -> None:
    kit, full = context("exercise11", kit=True), context("exercise11", kit=False)
    check = the_check("exercise11", "mlp_backward.gradcheck")
    other = kit.probe(check).cases(check.seed + 100, 1)[0]  # another seed: not a public case
    relation = relations.declared("exercise11", check.probe, "forgot-divide-by-n")
    assert relation is not None
    wrong = outcome_of(full.variants["forgot-divide-by-n"], full.probe(check), other.inputs)["grads"]
    assert named(full, check, other, wrong) == "forgot-divide-by-n"
    assert named(kit, check, other, wrong) is None


def test_a_gradient_checks_request_riding_with_the_inputs_does_not_hide_the_case() -> None:
    kit = context("exercise14", kit=True)
    check = the_check("exercise14", "expressions.gradcheck")
    case = next(c for c in kit.probe(check).cases(check.seed, check.cases) if c.label.startswith("MLP"))
    asked = Case(case.label, {**case.inputs, PERTURB: {"eps": 1e-6, "points": False}})
    assert kit.truth.mistake(check, asked, "matmul-missing-transpose") == kit.truth.mistake(
        check, case, "matmul-missing-transpose"
    )
    assert isinstance(kit.truth.mistake(check, asked, "matmul-missing-transpose"), Raised)


def test_a_truth_file_written_before_mistakes_were_shipped_names_none_not_even_by_relation() -> None:
    kit = context("exercise11", kit=True)
    check = the_check("exercise11", "mlp_backward.gradcheck")
    case = first_case(kit, check)
    assert kit.truth.mistake(check, case, "forgot-divide-by-n") is not None
    old = {
        check_id: {label: {k: v for k, v in entry.items() if k != MISTAKES} for label, entry in cases.items()}
        for check_id, cases in kit.truth.shipped.items()
    }
    before = Truth(None, old, "exercise11")
    assert [before.mistake(check, case, ident) for ident in check.misconceptions] == [None] * 5


# grade assign checks each declaration against its variant.


def test_grade_assign_refuses_a_relation_that_does_not_give_its_variants_gradients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rubric = load(COURSE / "rubrics" / "exercise11.yaml")
    wrong = {"forgot-divide-by-n": relations.scaled(lambda inputs: 2.0)}
    monkeypatch.setitem(relations.RELATIONS, ("exercise11", "mlp_backward"), wrong)  # type: ignore[index]
    probes = importlib.import_module("grader.probes.exercise11")
    with pytest.raises(
        MutantError, match="mlp_backward.gradcheck, case 1: the relation declared for 'forgot"
    ):
        shipped_values(rubric, probes, course.load_reference(COURSE, "exercise11"))


def test_grade_assign_refuses_a_relation_for_a_mistake_without_a_variant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rubric = load(COURSE / "rubrics" / "exercise11.yaml")
    listed = [
        replace(check, misconceptions=(*check.misconceptions, "log-of-underflowed-p"))
        if check.id == "mlp_backward.gradcheck"
        else check
        for check in rubric.checks
    ]
    declared = {**relations.RELATIONS[("exercise11", "mlp_backward")], "log-of-underflowed-p": relations.zero}
    monkeypatch.setitem(relations.RELATIONS, ("exercise11", "mlp_backward"), declared)  # type: ignore[index]
    probes = importlib.import_module("grader.probes.exercise11")
    with pytest.raises(MutantError, match="'log-of-underflowed-p', which has no variant"):
        shipped_values(
            replace(rubric, checks=tuple(listed)), probes, course.load_reference(COURSE, "exercise11")
        )
