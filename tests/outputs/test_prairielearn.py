"""PrairieLearn external-grader results: a 0–1 score and tests that never reveal hidden checks."""

from __future__ import annotations

import json

from grader.outputs import prairielearn
from grader.visibility import PENDING
from tests.outputs.schemas import assert_prairielearn
from tests.report import samples


def test_score_is_the_fraction_of_points() -> None:
    data = json.loads(prairielearn.dumps([samples.mlp_result()]))
    assert_prairielearn(data)
    assert data["gradable"] is True
    assert data["score"] == round(3.5 / 13, 6)
    assert [(t["points"], t["max_points"]) for t in data["tests"]][:3] == [(2.0, 2.0), (0.0, 4.0), (1.5, 4.0)]


def test_tests_carry_message_and_advice_but_hidden_ones_only_say_so() -> None:
    data = json.loads(prairielearn.dumps([samples.mlp_result()]))
    failed, hidden = data["tests"][1], data["tests"][2]
    assert failed["message"].startswith("dW1 is off")
    assert failed["output"] == f"Mistake: Forgot to divide by N\nHint: {samples.HINT}"
    assert (hidden["message"], hidden["output"]) == (PENDING["hidden"], "")
    assert samples.SECRET not in json.dumps(data)


def test_a_submission_that_could_not_run_scores_zero_with_its_reason() -> None:
    data = json.loads(prairielearn.dumps([samples.broken_result()]))
    assert_prairielearn(data)
    assert data["score"] == 0
    assert "syntax error at line 3" in data["message"]


def test_prints_are_shown_they_came_before_any_hidden_check() -> None:
    data = json.loads(prairielearn.dumps([samples.engine_result()]))
    assert "RuntimeWarning" in data["output"]
    assert "loss 1.0986" in json.loads(prairielearn.dumps([samples.mlp_result()]))["output"]
