"""Student matrix for exercise 13: correct, each classic mistake, and broken submissions."""

from pathlib import Path

import pytest

from grader.probes.engines import UNREACHED
from tests.grading.student_matrix import Expect, assert_verdicts, grade_student

COURSE = Path(__file__).resolve().parents[2]
BACKWARD = ("backward.calls", "backward.expressions")
ORDER = ("topological_order.valid", "topological_order.random")


def named(misconception: str, *checks: str) -> dict[str, str | tuple[str, str | None]]:
    return {check: ("failed", misconception) for check in checks}


MATRIX = {
    "correct": Expect(),
    "forward_order": Expect(
        named("forward-order", *BACKWARD),
        {
            "backward.calls": "a chain: the calls run in topological order, inputs first: "
            "node 0's _backward ran before that of node 1, which uses it",
            "backward.expressions": "a * a with a = 3x (a node used twice): the calls run in topological",
        },
    ),
    "duplicate_nodes": Expect(
        named("duplicate-nodes", *ORDER, *BACKWARD, "depth.property"),
        {
            "topological_order.valid": "a diamond: node 3 is listed 2 times; list every node exactly once",
            "backward.calls": "node 1's _backward was called 2 times",
            "backward.expressions": "non-leaf fan-out (b = 3x; b * b + b): node 2's _backward was called 2",
            "depth.property": "a chain 100,000 nodes deep: node 43526 is listed 100001 times",
        },
    ),
    "recursive_dfs": Expect(
        named("recursive-topological-sort", "depth.property"),
        {"depth.property": "a chain 100,000 nodes deep: topological_order(root) raised RecursionError"},
    ),
    "missing_backward": Expect(
        {**{check: "error" for check in BACKWARD}, "by-hand.static": "failed"},
        {
            **{check: "exercise13.py does not define backward" for check in BACKWARD},
            "by-hand.static": "no points yet: exercise13.py does not define backward",
        },
    ),
    "empty_walk": Expect(
        named(UNREACHED, *BACKWARD),
        {
            check: "no node's _backward was called: backward never got from the root to the leaves"
            for check in BACKWARD
        },
    ),
    "raises": Expect(
        {**{check: ("error", None) for check in ORDER}, "backward.calls": "error"},
        {
            "topological_order.valid": "a random graph whose _prev are sets: "
            "TypeError (line 12): 'set' object is not subscriptable [1 of 8 cases failed"
        },
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_student_matrix(name: str, tmp_path: Path) -> None:
    result = grade_student("exercise13", name, tmp_path)
    assert_verdicts(result, MATRIX[name])


@pytest.mark.slow
def test_a_graph_that_only_fails_with_sets_gets_partial_credit(tmp_path: Path) -> None:
    result = grade_student("exercise13", "raises", tmp_path)
    valid = next(c for c in result.checks if c.id == "topological_order.valid")
    assert valid.points == pytest.approx(2 * 7 / 8)
