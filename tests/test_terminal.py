"""The terminal summary's tally: counts in the right number, every status named."""

from __future__ import annotations

import pytest

from grader.result import CheckResult, Failure, Result
from grader.terminal import summary


def result_of(*statuses: str) -> Result:
    checks = [
        CheckResult(f"c{i}", f"check {i}", status, 1.0 if status == "passed" else 0.0, 1.0)  # type: ignore[arg-type]
        for i, status in enumerate(statuses)
    ]
    return Result("exercise11.py", "0" * 64, "exercise11", checks)


@pytest.mark.parametrize(
    ("statuses", "tally"),
    [
        (("passed",), "all checks passed"),
        (("failed",), "0 of 1 check passed, 1 failed"),
        (("passed", "error", "error", "error", "error"), "1 of 5 checks passed, 4 errors"),
        (("error", "timeout", "timeout"), "0 of 3 checks passed, 1 error, 2 timed out"),
    ],
)
def test_the_tally_counts_in_words(statuses: tuple[str, ...], tally: str) -> None:
    assert f"({tally})" in summary(result_of(*statuses))


def test_the_file_choice_is_said_under_the_title() -> None:
    result = result_of("passed")
    result.file_choice = "exercise11.ipynb is graded: exercise11.py is the untouched starter"
    assert summary(result).splitlines()[1] == f"  {result.file_choice}"


def test_a_withheld_check_shows_its_title_and_maximum_only_and_the_score_says_what_waits() -> None:
    result = result_of("passed", "failed")
    result.checks[1].visibility = "after_due_date"
    text = summary(result)
    assert "score 1 / 2" in text and "(1 of 1 check passed, 1 point still to be released)" in text
    assert "  ◌ check 1  –/1\n      result released after the due date" in text
    result.released = True
    assert "✗ check 1  0/1" in summary(result) and "released" not in summary(result)


def test_what_the_submission_printed_is_offered_fenced() -> None:
    result = result_of("passed")
    result.stdout = "".join(f"epoch {i}\n" for i in range(8))
    lines = summary(result).splitlines()
    assert lines[-6] == "  what your code printed (the first 5 of 8 lines):"
    assert lines[-5:] == [f"  │ epoch {i}" for i in range(5)]


def test_every_distinct_failure_is_said_once() -> None:
    result = result_of("failed")
    check = result.checks[0]
    check.message = "tanh: returned None [3 of 4 cases failed: tanh, exp, relu]"
    check.failures = [
        Failure(["tanh"], "tanh: returned None"),
        Failure(["exp", "relu"], "exp: UnboundLocalError (line 12): local variable 'out' referenced"),
    ]
    lines = summary(result).splitlines()
    at = lines.index(f"      {check.message}")
    assert lines[at + 1] == (
        "      also, exp, relu: exp: UnboundLocalError (line 12): local variable 'out' referenced"
    )


def test_a_submission_that_could_not_run_has_nothing_to_release() -> None:
    result = result_of("error", "error")
    result.checks[1].visibility = "hidden"
    result.status, result.message = "error", "exercise11.py has a syntax error at line 3"
    assert "(0 of 2 checks passed, 2 errors)" in summary(result)
