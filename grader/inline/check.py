"""`check(name=None, *, exercise=None)`: grade what the running kernel defines now, and show it.

This module stays light: in a notebook the grader runs, the starters' last cell imports it only
to learn that there is nothing to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.inline import kernel

if TYPE_CHECKING:
    from grader.inline.display import Feedback


def check(name: str | None = None, *, exercise: int | str | None = None) -> Feedback | None:
    """Grade the kernel's definitions with the student kit's visible checks and return the feedback
    (shown inline when it is a cell's last expression).

    `name` limits the checks to those about one function ("mlp_backward"); `exercise` (11,
    "exercise11") is else the notebook's, from its file name or the functions it defines. Returns
    None in a notebook the grader is running (`grade x.ipynb`, Gradescope): the starters' last cell
    calls this. Never raises for what the student's code does: that is feedback.
    """
    if kernel.being_graded():
        return None
    from grader.inline.session import feedback  # numpy, the checks, jinja: loaded only to grade

    return feedback(name, exercise)
