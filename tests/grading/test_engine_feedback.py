"""Engine feedback that starts at the first cause (exercises 12 to 14), probed without a worker.

The probes run here on the reference and its wrong variants as the grader runs them
(`run_trusted`), and their judges on plain observations; the grading matrices
(`test_exercise12.py` to `test_exercise14.py`) show the same through whole submissions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import course
from grader.checks.compare import matches
from grader.probes import exercise12, exercise13, exercise14
from grader.probes.base import Probe
from grader.probes.engines import UNREACHED, WORKED_ORDER, Expression, backward_order
from grader.probes.exercise14 import BROADCASTING_CHECK
from grader.rubric import load
from grader.settings import Settings
from grader.truth import run_trusted

ROOT = Path(__file__).resolve().parents[2]


def reference(exercise: str) -> Any:
    return course.load_reference(ROOT, exercise)


def variant(exercise: str, ident: str) -> Any:
    return course.Variants(ROOT, exercise, reference(exercise))[ident]


def inputs_of(probe: Probe, label: str) -> dict[str, Any]:
    return next(case.inputs for case in probe.cases(0, 1) if case.label == label)


def test_a_node_comes_after_every_node_that_uses_it_even_one_nearer_the_loss():
    # L = g(y) + x with y = f(x): x is one step from L, but its gradient is complete only after y's.
    edges = [("x", "y"), ("y", "g"), ("g", "L"), ("x", "L")]
    assert backward_order(edges, "L") == ["L", "g", "y", "x"]


def test_the_worked_example_lists_its_gradients_from_the_loss_backwards():
    assert WORKED_ORDER == ["L", "a·b + c", "a·b", "c", "a", "b"]
    inputs = inputs_of(exercise12.worked_example, "worked example (a*b + c)**2")
    grads = run_trusted(reference("exercise12"), exercise12.worked_example, inputs)["grads"]
    assert grads == {
        "dL/dL": 1.0,
        "dL/d(a·b + c)": 8.0,
        "dL/d(a·b)": 8.0,
        "dL/dc": 8.0,
        "dL/da": -24.0,
        "dL/db": 16.0,
    }
    assert list(grads) == [f"dL/d{n}" if len(n) == 1 else f"dL/d({n})" for n in WORKED_ORDER]


FLOWS = [
    (exercise12.EXPRESSIONS["worked example (a*b + c)**2"], ["c", "a", "b"]),
    (exercise12.NEURON, ["b", "x1", "w1", "x2", "w2"]),
    (exercise14.MLP, ["b2", "W2", "b1", "x", "W1"]),
    (exercise14.EXPRESSIONS["half squared error sum((x @ w - y) * (x @ w - y)) * 0.5"], ["y", "x", "w"]),
    (exercise14.OPERATORS["__rmatmul__ (ndarray (3, 4) @ t)"], ["right matrix"]),
]


@pytest.mark.parametrize(("expression", "flow"), FLOWS, ids=["worked", "neuron", "mlp", "squared", "ndarray"])
def test_an_expressions_inputs_are_ordered_from_the_output_backwards(expression: Expression, flow: list[str]):
    assert expression.flow == flow


def test_a_gradient_check_takes_the_gradients_in_that_order_and_evaluates_the_same_function():
    inputs = inputs_of(exercise14.expressions, "MLP relu(x @ W1 + b1) @ W2 + b2")
    problem = exercise14.expressions.build(reference("exercise14"), inputs)
    assert list(problem.params) == exercise14.MLP.flow
    assert [problem.label(name) for name in problem.params][:2] == ["dL/db2", "dL/dW2"]
    x, W1, b1, W2, b2 = (np.array(inputs["at"][name]) for name in ("x", "W1", "b1", "W2", "b2"))
    out = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    assert problem.at(problem.params) == pytest.approx(float(np.sum(exercise14.weights(out.shape) * out)))


def test_a_shape_error_from_a_missing_unbroadcast_says_it_is_a_knock_on_and_points_at_the_cause():
    inputs = inputs_of(exercise14.accumulation, "broadcast fan-out (b = a * c; b * b + b.sum(axis=0))")
    with pytest.raises(ValueError) as raised:
        run_trusted(variant("exercise14", "no-unbroadcast"), exercise14.accumulation, inputs)
    assert str(raised.value).endswith(
        "; this error comes from a gradient of the wrong shape reaching Tensor.sum's backward: "
        f"see '{BROADCASTING_CHECK}' (in __add__ (3, 4) + (4,), the gradient w.r.t. the right operand "
        "has shape (3, 4), expected (4,))"
    )


def test_an_error_that_no_other_fault_explains_is_left_as_it_is():
    # Without its transposes, matmul's own backward fails: broadcasting gradients are all right.
    inputs = inputs_of(exercise14.expressions, "MLP relu(x @ W1 + b1) @ W2 + b2")
    with pytest.raises(ValueError) as raised:
        run_trusted(variant("exercise14", "matmul-missing-transpose"), exercise14.expressions, inputs)
    assert str(raised.value).startswith("matmul: Input operand 1 has a mismatch")
    assert "this error comes from" not in str(raised.value)


def test_the_check_a_knock_on_points_at_is_the_rubrics_broadcasting_check():
    rubric = load(ROOT / "rubrics" / "exercise14.yaml")
    assert [check.title for check in rubric.checks if check.probe == "broadcasting"] == [BROADCASTING_CHECK]


def _backward_case(label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case of exercise 13's backward check and the correct observation of it, as the judge gets them."""
    probe = exercise13.backward_expressions
    inputs = inputs_of(probe, label)
    expected = probe.answer(inputs).check(run_trusted(reference("exercise13"), probe, inputs), "the answer")
    return inputs, expected


def test_exercise_13s_backward_names_the_first_wrong_node_going_back_from_the_root():
    inputs, expected = _backward_case("diamond (x * 2) * (x + 1)")
    _, root, edges = exercise13.graph(inputs)
    order = backward_order(((u, v) for v, u, _ in edges), root)
    grads = expected["grads"].copy()
    grads[order[1:]] *= 2  # every node behind the root: the first of them is where the error starts
    verdict = exercise13.backward_expressions.judge(inputs, {**expected, "grads": grads}, expected)
    first = order[1]
    assert verdict.message == (
        f"the first wrong grad going back from the root is at node {first} (expected "
        f"{expected['grads'][first]:.6g}, got {grads[first]:.6g}); "
        "everything upstream of it inherits the error"
    )


def test_exercise_13s_backward_that_calls_no_backward_never_reached_the_leaves():
    inputs, expected = _backward_case("x * x")
    nothing = {**expected, "grads": np.zeros_like(expected["grads"]), "calls": np.zeros((0, 2))}
    verdict = exercise13.backward_expressions.judge(inputs, nothing, expected)
    assert (verdict.passed, verdict.misconception) == (False, UNREACHED)


def _outcome(module: Any, probe: Probe, inputs: dict[str, Any]) -> Any:
    """What a probe gives on a module, its gradients alone for a gradient check (what names a mistake)."""
    try:
        answer = run_trusted(module, probe, inputs)
    except Exception as error:  # an error is an outcome too
        return type(error).__name__
    return answer["grads"] if probe.kind == "gradcheck" else answer


def _same(a: Any, b: Any) -> bool:
    """Whether two outcomes would name the same mistake, as grading compares them."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return matches(a, b, Settings())


@pytest.mark.parametrize("exercise", ["exercise12", "exercise14"])
def test_never_reaching_the_leaves_is_told_apart_from_every_other_mistake_a_check_lists(exercise: str):
    # All gradients 0 is also what other mistakes can give (an overwritten gradient, in micrograd's
    # own expressions): a check lists the misconception only where its failing cases tell them apart.
    rubric = load(ROOT / "rubrics" / f"{exercise}.yaml")
    probes = {"exercise12": exercise12, "exercise14": exercise14}[exercise]
    variants = course.Variants(ROOT, exercise, reference(exercise))
    failing = 0
    for check in (c for c in rubric.checks if UNREACHED in c.misconceptions and c.kind != "property"):
        probe = getattr(probes, check.probe or "")
        for case in probe.cases(check.seed, check.cases):
            unreached = _outcome(variants[UNREACHED], probe, case.inputs)
            if _same(unreached, _outcome(reference(exercise), probe, case.inputs)):
                continue  # a case whose right answer is 0 (relu below 0) never fails
            failing += 1
            for ident in (i for i in check.misconceptions if i != UNREACHED):
                assert not _same(unreached, _outcome(variants[ident], probe, case.inputs)), (
                    check.id,
                    case.label,
                )
    assert failing > 20
