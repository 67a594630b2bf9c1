"""The documented shapes of the platforms' result files, as assertions (no schema library needed)."""

from __future__ import annotations

from typing import Any

GRADESCOPE_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
GRADESCOPE_FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def assert_gradescope(data: dict[str, Any]) -> None:
    """Gradescope's results.json: top-level score and outputs, one entry per test."""
    assert _number(data["score"])
    assert isinstance(data["output"], str)
    assert data.get("output_format", "text") in GRADESCOPE_FORMATS
    assert data["stdout_visibility"] in GRADESCOPE_VISIBILITY
    if "execution_time" in data:
        assert _number(data["execution_time"])
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert _number(test["score"]) and _number(test["max_score"])
        assert test["status"] in {"passed", "failed"}
        assert isinstance(test["output"], str)
        assert test.get("output_format", "text") in GRADESCOPE_FORMATS
        assert test["visibility"] in GRADESCOPE_VISIBILITY
        if "number" in test:
            assert isinstance(test["number"], str)


def assert_prairielearn(data: dict[str, Any]) -> None:
    """PrairieLearn's external-grader results.json: score in 0–1, tests with points."""
    assert isinstance(data["gradable"], bool)
    assert _number(data["score"]) and 0 <= data["score"] <= 1
    assert isinstance(data["message"], str) and isinstance(data["output"], str)
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert _number(test["points"]) and _number(test["max_points"])
        assert 0 <= test["points"] <= test["max_points"]
        assert isinstance(test["message"], str) and isinstance(test["output"], str)
