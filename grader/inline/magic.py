"""`%load_ext grader`, then `%grade` (the whole exercise) or `%grade mlp_backward` (one function's
checks); a word that names an exercise (`%grade 11`, `%grade exercise11 mlp_backward`) picks it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.inline.check import check
from grader.inline.select import NUMBER

if TYPE_CHECKING:
    from grader.inline.display import Feedback


def load_ipython_extension(ipython: Any) -> None:
    """Register `%grade` in the kernel `ipython`."""
    ipython.register_magic_function(grade, "line", "grade")


def grade(line: str) -> Feedback | None:
    """`%grade [exerciseNN] [function]`: `grader.check` with the words as its arguments."""
    exercise = name = None
    for word in line.split():
        if NUMBER.fullmatch(word):
            exercise = word
        else:
            name = word
    return check(name, exercise=exercise)
