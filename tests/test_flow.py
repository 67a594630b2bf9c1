"""Feedback on wrong gradients starts at the first cause, going backwards from the loss."""

import numpy as np

from grader.checks.compare import compare_arrays
from grader.checks.flow import NOTHING_REACHED, first_cause, nothing_reached
from grader.probes.base import Flow
from grader.settings import Settings

TOL = Settings()
MLP = Flow(
    order=("dW2", "db2", "dW1", "db1"),
    through={"dz2 = dL/dz2": ("dW2", "db2", "dW1", "db1"), "dz1 = dL/dz1": ("dW1", "db1")},
)
CORRECT = {
    "dW1": np.array([[0.5, -1.0], [2.0, 0.25]]),
    "db1": np.array([0.1, -0.3]),
    "dW2": np.array([[1.5], [-0.5]]),
    "db2": np.array([0.75]),
}


def wrong(got: dict[str, np.ndarray]) -> dict:
    found = {name: compare_arrays(value, CORRECT[name], TOL, name) for name, value in got.items()}
    return {name: mismatch for name, mismatch in found.items() if mismatch is not None}


def test_every_gradient_off_by_one_factor_blames_the_quantity_they_all_come_from() -> None:
    cause = first_cause(MLP, list(CORRECT), wrong({k: 6 * v for k, v in CORRECT.items()}), TOL)
    assert (cause.first, cause.upstream) == ("dW2", "dz2 = dL/dz2")
    assert cause.message.startswith(
        "dz2 = dL/dz2 looks wrong: every gradient downstream of it is off (dW2, db2, dW1, db1), "
        "each 6 times the expected value; dW2 is off: 2 of 2 entries differ"
    )
    assert cause.details == {"first_wrong": "dW2", "upstream": "dz2 = dL/dz2"}


def test_the_nearest_wrong_gradient_to_the_loss_comes_first() -> None:
    got = {**CORRECT, "dW1": CORRECT["dW1"] + 1.0, "db1": CORRECT["db1"] - 1.0}
    cause = first_cause(MLP, list(CORRECT), wrong(got), TOL)
    assert (cause.first, cause.upstream) == ("dW1", "dz1 = dL/dz1")
    got = {**CORRECT, "db2": CORRECT["db2"] / 3, "db1": CORRECT["db1"] / 3}
    cause = first_cause(MLP, list(CORRECT), wrong(got), TOL)
    assert (cause.first, cause.upstream) == ("db2", None)
    assert cause.message.startswith("db2 is off")


def test_without_a_flow_a_common_factor_still_points_upstream() -> None:
    cause = first_cause(Flow(), list(CORRECT), wrong({k: -v for k, v in CORRECT.items()}), TOL)
    assert cause.first == "dW1"
    assert cause.message.startswith(
        "every gradient (dW1, db1, dW2, db2) is the expected value with the opposite sign: "
        "look at what they all come from; dW1 is off"
    )


def test_forward_outputs_come_before_the_gradients() -> None:
    assert Flow(order=("db", "dx")).ordered(["dx", "y", "db"]) == ["y", "db", "dx"]


def test_all_zero_gradients_are_one_whole_graph_failure() -> None:
    zeros = {name: np.zeros_like(value) for name, value in CORRECT.items()}
    cause = nothing_reached(MLP, zeros, CORRECT, TOL)
    assert cause is not None and cause.first == "dW2"
    assert cause.message == (
        f"every gradient is exactly 0 (dW2, db2, dW1, db1), where the correct ones are not: {NOTHING_REACHED}"
    )
    one = nothing_reached(Flow(), {"dL/da": np.zeros(())}, {"dL/da": np.ones(())}, TOL)
    assert (
        one is not None
        and one.message == f"dL/da is exactly 0, where the correct gradient is not: {NOTHING_REACHED}"
    )
    assert nothing_reached(MLP, zeros, zeros, TOL) is None
    assert nothing_reached(MLP, {**zeros, "db1": CORRECT["db1"]}, CORRECT, TOL) is None
