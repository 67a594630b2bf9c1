"""The batch's figures: every submission counted once, in the right grammatical number."""

from __future__ import annotations

from grader.batch.counts import Counts
from tests.batch.rowsfor import error_row, graded_row


def test_submissions_are_graded_now_already_graded_or_not_graded() -> None:
    counts = Counts(students=4)
    counts.add(graded_row("ann", 12), now=True)
    counts.add(graded_row("bob", 3), now=False)
    counts.add(error_row("cy", "exercise11.py has a syntax error"), now=False)
    counts.add(error_row("dee", "no exerciseNN.py or .ipynb file in this folder", submission=""), now=True)
    assert counts == Counts(
        4, submissions=3, graded_now=1, already_graded=1, not_graded=1, nothing_to_grade=1
    )
    assert counts.sentence() == (
        "4 students, 3 submissions: 1 graded now, 1 already graded, 1 could not be graded, "
        "1 student with nothing to grade"
    )


def test_one_of_each_is_singular() -> None:
    counts = Counts(students=1)
    counts.add(graded_row("ann", 12), now=True)
    assert (
        counts.sentence() == "1 student, 1 submission: 1 graded now, 0 already graded, 0 could not be graded"
    )
    assert [(f.value, f.label) for f in counts.totals] == [(1, "student"), (1, "submission")]
