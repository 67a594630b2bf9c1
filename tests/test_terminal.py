"""The terminal summary's tally: counts in the right number, every status named."""

from __future__ import annotations

import pytest

from grader.result import CheckResult, Result
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
