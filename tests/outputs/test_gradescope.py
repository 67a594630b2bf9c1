"""Gradescope results.json: one test per check, visibility from the rubric, a failure document."""

from __future__ import annotations

import json

from grader.outputs import gradescope
from tests.outputs.schemas import assert_gradescope
from tests.report import samples


def test_one_test_per_check_with_scores_and_rubric_visibility() -> None:
    result = samples.mlp_result()
    data = json.loads(gradescope.dumps([result]))
    assert_gradescope(data)
    assert data["score"] == 3.5
    assert [t["name"] for t in data["tests"]] == [c.title for c in result.checks]
    assert [t["number"] for t in data["tests"]] == [f"11.{i}" for i in range(1, 7)]
    assert [t["status"] for t in data["tests"]] == [
        "passed",
        "failed",
        "failed",
        "failed",
        "failed",
        "failed",
    ]
    assert [t["visibility"] for t in data["tests"]] == [c.visibility for c in result.checks]
    assert data["tests"][2]["score"] == 1.5 and data["tests"][2]["max_score"] == 4.0


def test_output_is_message_mistake_and_hint() -> None:
    output = json.loads(gradescope.dumps([samples.mlp_result()]))["tests"][1]["output"]
    assert output.splitlines() == [
        "dW1 is off: 20 of 20 entries differ; every entry is 6 times the expected value",
        "Mistake: Forgot to divide by N",
        f"Hint: {samples.HINT}",
    ]


def test_the_top_level_output_withholds_hidden_checks_but_shows_earlier_prints() -> None:
    """Students always see the top-level output: hidden checks there wait for release; the prints
    kept are those made before any hidden check ran."""
    data = json.loads(gradescope.dumps([samples.mlp_result()]))
    assert samples.SECRET not in data["output"]
    assert "result hidden until the course releases it" in data["output"]
    assert data["output"].count("loss 1.0986") == 1
    assert data["stdout_visibility"] == "hidden"


def test_several_exercises_add_up() -> None:
    data = json.loads(gradescope.dumps([samples.mlp_result(), samples.engine_result()]))
    assert_gradescope(data)
    assert data["score"] == 3.5 and len(data["tests"]) == 8
    assert data["tests"][-1]["number"] == "12.2"


def test_failure_is_a_valid_document_with_a_visible_test() -> None:
    data = json.loads(gradescope.failure("exercise11.py: no such file"))
    assert_gradescope(data)
    assert data["score"] == 0
    assert data["tests"] == [
        {
            "name": "Autograder failed",
            "score": 0.0,
            "max_score": 0.0,
            "status": "failed",
            "output": "exercise11.py: no such file",
            "output_format": "text",
            "visibility": "visible",
        }
    ]
